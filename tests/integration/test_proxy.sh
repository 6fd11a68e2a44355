#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Proxy = socks4 | socks5 | http | exec (tinc 1.1): alpha's direct TCP to
# beta's port is dropped by nftables in alpha's namespace, so its meta
# connection comes up only through tests/tools/testproxy.py, running in a
# third namespace. For each type: the connection is activated, pings flow,
# and the proxy logged the CONNECT. Like tinc, the proxy only carries the
# meta connection: UDP goes straight to beta where it can (socks4, http,
# exec rounds); in the socks5 round all of alpha's traffic to beta is
# dropped and the data rides the proxied meta connection. A wrong SOCKS 5
# password and a 64 KiB proxy reply are logged clearly and leave the daemon
# running; a reloaded Proxy applies to the next connection, a bad one is
# not applied, and stops a start-up. No connection
# attempt ever goes around the proxy (the nft counter stays at the one
# direct attempt made before a Proxy was set).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping nft

PY=$(command -v python3)
two_node_net plexus plexus
netns_create 3
PROXY_NS=$PXT_NS
PROXY=198.18.1.3
BETA=$(underlay_addr beta)
PLOG=$PXT_TMP/proxy.log
ROUND_EXTRA=
: >"$PLOG"

in_ns "$PROXY_NS" timeout -k 2 55 "$PY" "$PXT_TOOLS/testproxy.py" serve "$PROXY" 1080 --log "$PLOG" \
	--user alice --password 's3cret word' --lifetime 50 >"$PXT_TMP/proxy.out" 2>&1 &
track_pid $!
for ((i = 0; i < 50; i++)); do
	grep -q '^LISTENING' "$PLOG" && break
	sleep 0.1
done
grep -q '^LISTENING' "$PLOG" || fail "testproxy did not start: $(cat "$PXT_TMP/proxy.out")"
# A second one on port 1081 answers with a 200 line and 64 KiB of headers.
BLOG=$PXT_TMP/badproxy.log
in_ns "$PROXY_NS" timeout -k 2 55 "$PY" "$PXT_TOOLS/testproxy.py" serve "$PROXY" 1081 --log "$BLOG" \
	--misbehave huge --lifetime 50 >"$PXT_TMP/badproxy.out" 2>&1 &
track_pid $!

# alpha may not reach beta's TCP port directly (counted, so a bypass shows).
in_ns alpha nft -f - <<EOF || fail "nft in alpha"
table inet pxproxy {
	counter direct_tcp { }
	counter direct_udp { }
	chain output {
		type filter hook output priority 0; policy accept;
		ip daddr $BETA tcp dport $PXT_PORT counter name direct_tcp drop
		ip daddr $BETA udp dport $PXT_PORT counter name direct_udp
	}
}
EOF
direct_tcp() {
	in_ns alpha nft list counter inet pxproxy direct_tcp | sed -nE 's/.*packets ([0-9]+).*/\1/p'
}
direct_udp() {
	in_ns alpha nft list counter inet pxproxy direct_udp | sed -nE 's/.*packets ([0-9]+).*/\1/p'
}
# socks5 round: nothing of alpha's reaches beta directly, UDP included.
block_all() { in_ns alpha nft add rule inet pxproxy output ip daddr "$BETA" drop || fail "nft block_all"; }
unblock_all() {
	local h
	h=$(in_ns alpha nft -a list chain inet pxproxy output | sed -nE 's/.*ip daddr [0-9.]+ drop # handle ([0-9]+)/\1/p')
	[ -n "$h" ] && in_ns alpha nft delete rule inet pxproxy output handle "$h"
}

set_proxy() {
	sed -i '/^Proxy/d' "${N_CONF[alpha]}"
	[ -n "$1" ] && node_conf alpha "Proxy = $1"
}

start_node beta

# Without a proxy the firewall holds: the direct attempt is dropped.
start_node alpha
for ((i = 0; i < 50; i++)); do
	[ "$(direct_tcp)" -ge 1 ] && break
	sleep 0.1
done
[ "$(direct_tcp)" -ge 1 ] || fail "alpha's direct connection attempt did not hit the nft rule"
stop_node alpha
DIRECT=$(direct_tcp)
note "without Proxy: $DIRECT direct SYN(s) dropped"

# round TYPE "Proxy value" "proxy log regex"
round() {
	local kind=$1 value=$2 re=$3 t0=$SECONDS before
	before=$(grep -c '^CONNECT' "$PLOG")
	set_proxy "$value"
	start_node alpha
	wait_log alpha "Connection with beta .* activated" 15 || fail "$kind: no meta connection through the proxy"
	[ "$kind" = exec ] || assert_log alpha "Proxy .* connected us to beta"
	up_and_ping alpha beta 15
	[ -z "$ROUND_EXTRA" ] || $ROUND_EXTRA
	grep -Eq -- "$re" "$PLOG" || fail "$kind: proxy log lacks /$re/: $(cat "$PLOG")"
	[ "$(grep -c '^CONNECT' "$PLOG")" -gt "$before" ] || fail "$kind: no new CONNECT in the proxy log"
	note "$kind: meta connection and pings through the proxy in $((SECONDS - t0)) s"
	stop_node alpha
}

round socks4 "socks4 $PROXY 1080 bob" "^CONNECT socks4 $BETA:$PXT_PORT from 198.18.1.1 user=bob\$"

# 10 x 1200-byte pings: with UDP blocked they must cross the proxy.
big_pings() {
	in_ns alpha timeout 20 ping -n -q -c 10 -i 0.1 -W 2 -s 1200 "$(tun_addr beta)" >/dev/null ||
		fail "socks5: 1200-byte pings lost"
}
block_all
ROUND_EXTRA=big_pings
round socks5 "socks5 $PROXY 1080 alice s3cret word" "^CONNECT socks5 $BETA:$PXT_PORT from 198.18.1.1 user=alice\$"
ROUND_EXTRA=
unblock_all
# Everything alpha sent in that round went through the proxy.
for ((i = 0; i < 30; i++)); do
	grep -q '^CLOSED socks5' "$PLOG" && break
	sleep 0.1
done
up=$(sed -nE 's/^CLOSED socks5 .* up=([0-9]+) .*/\1/p' "$PLOG" | tail -n 1)
[ "${up:-0}" -gt 12000 ] || fail "socks5 round: only ${up:-0} bytes relayed upstream: $(cat "$PLOG")"
note "socks5 with UDP blocked too: $up bytes from alpha relayed by the proxy"

udp0=$(direct_udp)
round http "http $PROXY 1080" "^CONNECT http $BETA:$PXT_PORT from 198.18.1.1\$"
udp1=$(direct_udp)
[ "$udp1" -gt "$udp0" ] || fail "http round: no UDP straight to beta (tinc sends UDP around the proxy)"
note "http round: $((udp1 - udp0)) UDP datagrams went straight to beta, as with tinc"

# Reload: a new Proxy applies to the next connection; a bad one is not applied.
set_proxy "http $PROXY 1080"
start_node alpha
wait_log alpha "Connection with beta .* activated" 15 || fail "reload: no first connection"
set_proxy "socks4 $PROXY 1080 carol"
plexus_cli alpha reload >/dev/null || fail "reload failed"
plexus_cli alpha disconnect beta >/dev/null || fail "disconnect beta failed"
for ((i = 0; i < 100; i++)); do
	grep -q "^CONNECT socks4 $BETA:$PXT_PORT from 198.18.1.1 user=carol\$" "$PLOG" && break
	sleep 0.1
done
grep -q "user=carol" "$PLOG" || fail "reload: the new Proxy was not used: $(cat "$PLOG")"
wait_ping alpha beta 15 || fail "reload: no ping after reconnecting through socks4"
set_proxy "socks9 $PROXY 1080"
plexus_cli alpha reload >/dev/null 2>&1
wait_log alpha "Configuration not reloaded: bad Proxy value" 5 || fail "reload: bad Proxy value accepted"
assert_log alpha "Unknown proxy type socks9"
assert_alive alpha
note "reload: next connection used the new Proxy, a bad value was not applied"
stop_node alpha

ENVLOG=$PXT_TMP/exec.env
round exec "exec $PY $PXT_TOOLS/testproxy.py pipe $PROXY 1080 --env-log $ENVLOG" \
	"^CONNECT http $BETA:$PXT_PORT from 198.18.1.1 user=X-Exec-Env: NAME=alpha NODE=beta\$"
grep -q "^REMOTEADDRESS=$BETA REMOTEPORT=$PXT_PORT NAME=alpha NODE=beta NETNAME=\$" "$ENVLOG" ||
	fail "exec proxy environment: $(cat "$ENVLOG")"

# A wrong SOCKS 5 password: a clear error, retried with back-off, no crash.
set_proxy "socks5 $PROXY 1080 alice wrong"
start_node alpha
wait_log alpha "rejected the user name or password" 10 || fail "wrong password: no clear error"
grep -q "^REFUSED socks5 from 198.18.1.1: bad password for user alice" "$PLOG" || fail "proxy did not refuse"
assert_no_log alpha "activated"
assert_alive alpha beta
note "wrong password: $(grep -m1 'rejected the user name' "${N_LOG[alpha]}" | cut -c1-160)"
stop_node alpha

# An oversized reply: a clear error, no crash.
set_proxy "http $PROXY 1081"
start_node alpha
wait_log alpha "HTTP proxy reply longer than 8192 bytes" 10 || fail "oversized reply: no clear error"
assert_no_log alpha "activated"
assert_alive alpha beta
note "oversized reply: $(grep -m1 'longer than 8192' "${N_LOG[alpha]}" | cut -c1-160)"
stop_node alpha

# A bad value stops the daemon at start-up.
set_proxy "socks5 $PROXY"
start_node_expect_fail alpha 10
grep -q "Invalid Proxy: Proxy socks5 needs a host and a port" "${N_OUT[alpha]}" ||
	fail "bad Proxy value: $(cat "${N_OUT[alpha]}")"

[ "$(direct_tcp)" = "$DIRECT" ] || fail "a connection went around the proxy: $(direct_tcp) direct SYNs, expected $DIRECT"
pass "socks4, socks5 (user/password), http and exec; $SECONDS s"
