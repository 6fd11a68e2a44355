#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Abuse a running daemon ("beta") and check after each abuse that it still
# runs and the VPN still pings:
#   - malformed / truncated meta requests from a third namespace
#     (tests/tools/metaabuse.py: garbage, huge lines, wrong and broken IDs,
#     unknown host, hang-up mid-handshake, bad METAKEY, binary, flood)
#   - junk datagrams of every short length to its UDP port, and replayed,
#     tampered and truncated copies of real tunnel datagrams injected with
#     the real peer's address (tests/tools/udpforge.py)
#   - an unknown config variable: warning naming file and line, still starts
# and checks that broken set-ups fail to start with a clear message:
#   - an unreadable (garbage) rsa_key.priv
#   - a plugin built for another ABI major in PLEXUS_PLUGIN_PATH
#   - DisablePlugin of a plugin the configuration requires
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping

two_node_net "$PXT_KIND" "$PXT_KIND"
if [ "$PXT_KIND" = plexus ]; then
	node_conf beta "ThisVariableDoesNotExist = 42"
	# every abuse below must reach the parsers, not the connection limits
	# (those are test_preauth_flood's subject)
	node_conf beta "MaxConnectionBurst = 1000"
fi
start_node beta
start_node alpha
up_and_ping alpha beta 30

if [ "$PXT_KIND" = plexus ]; then
	wait_log beta "ThisVariableDoesNotExist" 5 ||
		fail "no warning about the unknown variable ThisVariableDoesNotExist"
	assert_log beta "ThisVariableDoesNotExist.*tinc\.conf[: ]*(line )?[0-9]+|tinc\.conf[: ]*(line )?[0-9]+.*ThisVariableDoesNotExist" \
		"the unknown-variable warning does not name file and line"
fi

still_ok() { # still_ok WHAT
	assert_alive alpha beta
	ping_check alpha beta 3 1 || fail "VPN no longer pings after $1"
}

# an attacker namespace on the same underlay that is no VPN node
netns_create 99
EVIL=$PXT_NS
BETA_IP=$(underlay_addr beta)

for mode in garbage huge hugeline wrongid badid unknown midhandshake badmetakey binary flood; do
	out=$(ip netns exec "$EVIL" timeout -k 2 60 python3 "$PXT_TOOLS/metaabuse.py" "$BETA_IP" "$PXT_PORT" "$mode" alpha 2>&1)
	note "meta $out"
	still_ok "meta abuse '$mode'"
done

out=$(ip netns exec "$EVIL" timeout -k 2 30 python3 "$PXT_TOOLS/udpforge.py" junk "$BETA_IP" "$PXT_PORT" 300 2>&1)
note "$out"
still_ok "junk datagrams"

# replay real datagrams from alpha's namespace while alpha sends pings
in_ns alpha timeout 20 ping -n -q -c 60 -i 0.2 "$(tun_addr beta)" >/dev/null 2>&1 &
ppid=$!
track_pid "$ppid"
out=$(in_ns alpha timeout -k 2 30 python3 "$PXT_TOOLS/udpforge.py" replay eth0 "$BETA_IP" "$PXT_PORT" 50 2>&1)
rc=$?
stop_pid "$ppid" 1
note "$out"
[ "$rc" = 0 ] || fail "could not capture a tunnel datagram to replay: $out"
still_ok "replayed/tampered/truncated datagrams"

# --- broken set-ups must fail to start with a clear message ---------------
make_node gamma "$PXT_KIND"
connect_to gamma beta
head -c 700 /dev/urandom | base64 >"${N_DIR[gamma]}/rsa_key.priv"
# tincd refuses to start; a daemon that keeps running (legacy protocol
# disabled) is accepted too, as long as it says clearly why.
KEYRE="rsa_key\.priv|private (RSA )?key"
start_node gamma
for ((i = 0; i < 100; i++)); do
	node_alive gamma || break
	grep -qiE "$KEYRE" "${N_LOG[gamma]}" "${N_OUT[gamma]}" 2>/dev/null && break
	sleep 0.1
done
grep -qiE "$KEYRE" "${N_LOG[gamma]}" "${N_OUT[gamma]}" ||
	fail "no clear error about the unreadable rsa_key.priv"
note "garbage rsa_key.priv: $(node_alive gamma && echo "still running" || echo "refused to start"): $(grep -hiE "$KEYRE" "${N_LOG[gamma]}" "${N_OUT[gamma]}" | head -n 1)"
stop_node gamma
assert_alive alpha beta

if [ "$PXT_KIND" = plexus ]; then
	# a plugin built for ABI major 99
	plugdir=$PXT_TMP/badplugins
	mkdir -p "$plugdir"
	cat >"$plugdir/badabi.c" <<-'CEOF'
	/* SPDX-License-Identifier: MIT */
	#include <plexus/plugin.h>
	PX_EXPORT extern const struct px_plugin_desc badabi_LTX_plexus_plugin;
	PX_EXPORT const struct px_plugin_desc badabi_LTX_plexus_plugin = {
		.size = sizeof(struct px_plugin_desc),
		.abi_major = 99,
		.abi_minor = 0,
		.name = "badabi",
		.version = "0",
		.description = "built for another ABI",
		.license = "MIT",
	};
	CEOF
	gcc -shared -fPIC -I"$PXT_SRCDIR/sdk" -o "$plugdir/badabi.so" "$plugdir/badabi.c" ||
		fail "cannot build the bad-ABI plugin"
	make_node delta plexus
	connect_to delta beta
	# A stale plugin (another ABI major) is logged and skipped: the daemon
	# starts without it, as without any plugin the configuration doesn't need.
	PLEXUS_PLUGIN_PATH="$plugdir:$PLEXUS_PLUGIN_PATH" start_node delta
	wait_log delta 'Ready' 15 || fail "delta did not start next to a stale plugin"
	msg=$(grep -h "badabi" "${N_OUT[delta]}" "${N_LOG[delta]}" | head -3)
	note "bad ABI plugin skipped: $msg"
	echo "$msg" | grep -q "99" && echo "$msg" | grep -qE "\b1\b" && echo "$msg" | grep -qi "abi" ||
		fail "no message naming the plugin badabi and both ABI versions (99 and 1)"
	assert_alive delta
	stop_node delta
	# ...unless the configuration needs it
	node_conf delta "RequirePlugin = badabi"
	PLEXUS_PLUGIN_PATH="$plugdir:$PLEXUS_PLUGIN_PATH" start_node_expect_fail delta 20
	msg=$(grep -h "required" "${N_OUT[delta]}" "${N_LOG[delta]}" | head -3)
	note "RequirePlugin badabi: exit $PXT_RC: $msg"
	echo "$msg" | grep -q "badabi" || fail "no 'required' error naming badabi"
	sed -i '/^RequirePlugin = badabi$/d' "${N_CONF[delta]}"

	# DisablePlugin of a required plugin
	node_conf delta "DisablePlugin = transport-tcp"
	start_node_expect_fail delta 20
	msg=$(grep -hi "required" "${N_OUT[delta]}" "${N_LOG[delta]}" | head -3)
	note "DisablePlugin transport-tcp: exit $PXT_RC: $msg"
	echo "$msg" | grep -q "transport-tcp" && echo "$msg" | grep -qi "disabled by DisablePlugin" ||
		fail "no clear 'required ... disabled by DisablePlugin' error for the disabled transport-tcp plugin"
fi

still_ok "everything"
pass
