#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# TunnelServer (issue 11) with real daemons in network namespaces:
#   S  TunnelServer = yes (which implies StrictSubnets)
#   T  an ordinary peer, ConnectTo S; owns 198.19.7.0/24 too (198.19.7.1 is
#      on its interface)
#   F  an authenticated peer gone bad: the test-only forger plugin
#      (tests/integration/forger/forger.c, built here) broadcasts the lines
#      the test appends to a file, ConnectTo S
# F announces an edge between two other nodes, a subnet of another node, a
# subnet of its own that S's hosts/F does not list (more specific than T's),
# and withdraws T's edge with S and T's subnet. S must store none of it,
# log the refusal of F's own subnet once, and keep routing 198.19.7.1 to T.
# T must learn nothing from S but S itself: no node F, no edge S-F (tinc's
# tunnel server sends a new edge only to the peer it connects).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd cc
require_kind plexus

LINES=$PXT_TMP/forger.lines
T0=$SECONDS

# has_subnet NODE SUBNET OWNER: is it in NODE's `dump subnets`?
has_subnet() { plexus_cli "$1" dump subnets 2>/dev/null | grep -Eq "^$2 owner $3\$"; }
# has_edge NODE FROM TO: is the edge in NODE's `dump edges`?
has_edge() { plexus_cli "$1" dump edges 2>/dev/null | grep -Eq "^$2 to $3 "; }
has_node() { plexus_cli "$1" dump nodes 2>/dev/null | grep -Eq "^$2 "; }
show() { plexus_cli "$1" dump "$2" 2>&1 | tr '\n' ';'; }

SENT=0
# forge LINE...: F broadcasts the lines (waits until it did)
forge() {
	printf '%s\n' "$@" >>"$LINES"
	SENT=$((SENT + $#))
	wait_log F "forger: line $SENT \([0-9]+ bytes\) broadcast" 10 || fail "F did not broadcast line $SENT"
}

nonce() { printf '%x' $((RANDOM * 32768 + RANDOM + 1)); }

# --------------------------------------------------------------- setup ---

FORGER_DIR=$PXT_TMP/forger
mkdir -p "$FORGER_DIR"
cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -I"$PXT_SRCDIR/sdk" \
	-o "$FORGER_DIR/forger.so" "$PXT_SRCDIR/tests/integration/forger/forger.c" 2>"$PXT_TMP/forger.build" ||
	fail "building the forger plugin: $(cat "$PXT_TMP/forger.build")"
: >"$LINES"

make_node S plexus
make_node T plexus
make_node F plexus
connect_to T S
connect_to F S
node_conf S "TunnelServer = yes"
host_conf T "Subnet = 198.19.7.0/24"
echo 'ip addr add 198.19.7.1/32 dev "$INTERFACE"' >>"${N_DIR[T]}/tinc-up"
node_conf F "DisablePlugin = update-hosts" "ForgerLines = $LINES"
exchange_hosts
export PXT_NO_EXCHANGE=1

start_node S
start_node T
up_and_ping S T 30
PLEXUS_PLUGIN_PATH="$FORGER_DIR:$PLEXUS_PLUGIN_PATH" start_node F
wait_log F "forger: sending lines from" 10 || fail "F did not load the forger plugin"
up_and_ping S F 30
wait_log F "forger: connection with S active" 10 || fail "F's connection with S not active"

# --- what S told its peers ---------------------------------------------------
has_node T F && fail "S told T about F: T's nodes: $(show T nodes)"
has_edge T S F && fail "S sent T its edge with F: T's edges: $(show T edges)"
has_node F T && fail "S told F about T: F's nodes: $(show F nodes)"
t_edges=$(plexus_cli T dump edges 2>/dev/null | wc -l)
note "T knows $t_edges edges: $(show T edges)"

# --- the attack ----------------------------------------------------------------
forge "12 $(nonce) G H 198.18.1.99 655 c 10" "10 $(nonce) G 198.19.8.0/24#10" \
	"13 $(nonce) T S" "11 $(nonce) T 198.19.7.0/24#10" \
	"10 $(nonce) F 198.19.7.1/32#10" "10 $(nonce) F 198.19.7.1/32#10"
wait_log S "Ignoring unauthorized ADD_SUBNET from F .* for F: 198.19.7.1/32" 5 ||
	note "S logged no refusal of F's 198.19.7.1/32"
ping_check S 198.19.7.1 5 0 || fail "S's pings to 198.19.7.1 no longer reach T"
ping_check T S 5 0 || fail "T -> S pings lost"
ping_check F S 3 0 || fail "F -> S pings lost"
note "pings S -> 198.19.7.1 (T): 5/5, T -> S 5/5, F -> S 3/3"

has_edge S G H && fail "S stored F's edge G -> H: $(show S edges)"
has_node S G && fail "S created node G from F's announcements: $(show S nodes)"
has_node S H && fail "S created node H from F's announcements: $(show S nodes)"
has_subnet S 198.19.8.0/24 G && fail "S stored F's subnet for G"
has_edge S T S || fail "F deleted T's edge with S on S: $(show S edges)"
has_subnet S 198.19.7.0/24 T || fail "F withdrew T's subnet on S: $(show S subnets)"
has_subnet S 198.19.7.1 F && fail "S stored F's 198.19.7.1/32, not in its hosts/F: $(show S subnets)"
has_node T G && fail "S forwarded F's announcements to T"
has_subnet T 198.19.7.1 F && fail "S forwarded F's 198.19.7.1/32 to T"
refusals=$(log_count S "Ignoring unauthorized ADD_SUBNET from F .* for F: 198.19.7.1/32")
[ "$refusals" = 1 ] || fail "S logged the refusal of F's 198.19.7.1/32 $refusals times (2 claims), want 1"
t_edges_after=$(plexus_cli T dump edges 2>/dev/null | wc -l)
[ "$t_edges_after" = "$t_edges" ] || fail "T's edges changed during the attack: $(show T edges)"
note "$SENT forged lines: 0 stored on S, 0 forwarded to T, $refusals log line; T knows $t_edges_after edges"

assert_alive S T F
pass "TunnelServer: $SENT forged lines without effect, $((SECONDS - T0)) s"
