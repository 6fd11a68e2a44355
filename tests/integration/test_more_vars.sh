#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tinc 1.1 variables about sockets, keys and the path MTU, each checked
# against daemons in namespaces. alpha -> beta <- gamma, SPTPS.
#  - BindToAddress (on beta): beta's namespace has a second address
#    (198.18.2.2); beta listens (TCP and UDP) on 198.18.1.2 only, not on
#    the wildcard address or the second one.
#    BindToAddress on gamma (a second address, 198.18.2.3) is also the
#    source of gamma's outgoing connection: beta sees it come from there,
#    not from gamma's first address, which the kernel would pick.
#  - UDPRcvBuf / UDPSndBuf (on beta): beta's UDP socket has those buffer
#    sizes (the kernel doubles what it is given), not the 1 MiB default.
#  - Ed25519PrivateKeyFile (on alpha) and Ed25519PublicKeyFile (alpha's host
#    file, so beta reads alpha's key from there): both keys live outside
#    their default places (there is no ed25519_key.priv and no
#    Ed25519PublicKey line), yet alpha and beta speak SPTPS; ignoring either
#    variable leaves them without an Ed25519 key, on the legacy protocol.
#  - PMTUDiscovery = no (on gamma): no MTU probes between gamma and beta:
#    neither has the PMTU option bit (4) set for the other nor a minimum
#    MTU learnt by probing, while alpha and beta have both (and find more
#    than 1400 on the 1500-byte veth path).
#  - PMTU = 1200 (on gamma): as in tinc, the path MTU a node starts with,
#    which discovery replaces; without discovery gamma keeps 1200 for beta
#    (dump nodes) and answers a 1300-byte ping with DF with "frag needed".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd ping ss
require_cli
require_sptps

make_node alpha plexus
make_node beta plexus
make_node gamma plexus
connect_to alpha beta
connect_to gamma beta

# --- configuration -------------------------------------------------------
in_ns beta ip addr add 198.18.2.2/24 dev eth0 || fail "second address in beta"
node_conf beta "BindToAddress = $(underlay_addr beta)" "UDPRcvBuf = 300000" "UDPSndBuf = 200000"
keys=$PXT_TMP/keys
mkdir -p "$keys"
adir=${N_DIR[alpha]}
[ -s "$adir/ed25519_key.priv" ] || fail "generate-keys made no ed25519_key.priv for alpha"
mv "$adir/ed25519_key.priv" "$keys/alpha.priv"
pub=$(sed -nE 's/^Ed25519PublicKey *= *//p' "$adir/hosts/alpha")
[ -n "$pub" ] || fail "no Ed25519PublicKey in alpha's host file"
printf -- '-----BEGIN ED25519 PUBLIC KEY-----\n%s\n-----END ED25519 PUBLIC KEY-----\n' "$pub" >"$keys/alpha.pub"
sed -i '/^Ed25519PublicKey *=/d' "$adir/hosts/alpha"
host_conf alpha "Ed25519PublicKeyFile = $keys/alpha.pub"
node_conf alpha "Ed25519PrivateKeyFile = $keys/alpha.priv"
node_conf gamma "PMTUDiscovery = no" "PMTU = 1200"
in_ns gamma ip addr add 198.18.2.3/24 dev eth0 || fail "second address in gamma"
node_conf gamma "BindToAddress = 198.18.2.3"

start_node beta
start_node alpha
start_node gamma

# --- BindToAddress (before any peer needs it) ---------------------------
port_addrs() { in_ns beta ss -Hn "$1" "sport = :$PXT_PORT" | awk '{print $4}' | sort -u | tr '\n' ' '; }
for ((i = 0; i < 50; i++)); do
	[ -n "$(port_addrs -ltn)" ] && [ -n "$(port_addrs -lun)" ] && break
	sleep 0.1
done
tcp=$(port_addrs -ltn) udp=$(port_addrs -lun)
note "BindToAddress: beta listens on TCP $tcp, UDP $udp"
[ "$tcp" = "$(underlay_addr beta):$PXT_PORT " ] || fail "BindToAddress: beta's TCP listeners are '$tcp'"
[ "$udp" = "$(underlay_addr beta):$PXT_PORT " ] || fail "BindToAddress: beta's UDP sockets are '$udp'"
note "BindToAddress ok"

up_and_ping alpha beta 30
up_and_ping gamma beta 30
wait_log beta "Connection from 198.18.2.3 port" 10 ||
	fail "BindToAddress: gamma's connection to beta does not come from 198.18.2.3"
note "BindToAddress: gamma connects from 198.18.2.3"

# --- Ed25519PrivateKeyFile / Ed25519PublicKeyFile -------------------------
[ ! -e "$adir/ed25519_key.priv" ] || fail "alpha has an ed25519_key.priv at the default place"
grep -q "^Ed25519PublicKey *=" "${N_DIR[beta]}/hosts/alpha" && fail "beta's hosts/alpha has an Ed25519PublicKey line"
assert_proto alpha beta sptps
assert_proto beta alpha sptps
note "Ed25519PrivateKeyFile / Ed25519PublicKeyFile ok"

# --- UDPRcvBuf / UDPSndBuf ---------------------------------------------------
mem=$(in_ns beta ss -Huamn "sport = :$PXT_PORT" | grep -o 'skmem:([^)]*)' | head -n 1)
note "UDP buffers: beta's socket $mem"
rb=$(echo "$mem" | sed -nE 's/.*[(,]rb([0-9]+).*/\1/p')
tb=$(echo "$mem" | sed -nE 's/.*[(,]tb([0-9]+).*/\1/p')
[ "$rb" = 600000 ] || fail "UDPRcvBuf = 300000, yet beta's UDP receive buffer is '$rb' (want 600000)"
[ "$tb" = 400000 ] || fail "UDPSndBuf = 200000, yet beta's UDP send buffer is '$tb' (want 400000)"
note "UDPRcvBuf / UDPSndBuf ok"

# --- PMTU / PMTUDiscovery ----------------------------------------------------
# node_field NODE PEER FIELD: a field of PEER's line in NODE's dump nodes
# (options, pmtu, min, max).
node_field() {
	plexus_cli "$1" dump nodes 2>/dev/null | awk -v p="$2" -v f="$3" '$1 == p {
		for (i = 1; i < NF; i++) if ($i == f || $i == "(" f) { v = $(i + 1); gsub(/[()]/, "", v); print v; exit }
	}'
}
# wait_fixed NODE PEER LIMIT: until NODE's PMTU to PEER is probed (min = pmtu > 0).
wait_fixed() {
	local i p m
	for ((i = 0; i < $3 * 5; i++)); do
		p=$(node_field "$1" "$2" pmtu) m=$(node_field "$1" "$2" min)
		[ -n "$p" ] && [ "$p" -gt 0 ] && [ "$p" = "$m" ] && return 0
		sleep 0.2
	done
	plexus_cli "$1" dump nodes 2>&1 | sed 's/^/  dump: /'
	return 1
}
wait_fixed alpha beta 15 || fail "PMTU alpha -> beta not found by probing"
pa=$(node_field alpha beta pmtu) oa=$(node_field alpha beta options)
note "PMTUDiscovery on: alpha -> beta pmtu $pa options $oa"
[ "$pa" -gt 1400 ] || fail "alpha's PMTU to beta is $pa: the path itself is not above 1400"
((0x$oa & 4)) || fail "alpha -> beta (PMTUDiscovery on) options $oa lack the PMTU bit"

ping_check gamma beta 5 0 || fail "pings gamma -> beta lost"
for pair in "gamma beta" "beta gamma"; do
	set -- $pair
	o=$(node_field "$1" "$2" options) m=$(node_field "$1" "$2" min)
	note "PMTUDiscovery: $1 -> $2 options $o min $m"
	[ -n "$o" ] || fail "no $2 in $1's dump nodes"
	((0x$o & 4)) && fail "PMTUDiscovery = no on gamma, yet $1 has the PMTU bit for $2 (options $o)"
	[ "$m" = 0 ] || fail "PMTUDiscovery = no on gamma, yet $1 probed $2 (min MTU $m)"
done
note "PMTUDiscovery ok"

pg=$(node_field gamma beta pmtu)
note "PMTU: gamma -> beta pmtu $pg"
[ "$pg" = 1200 ] || fail "PMTU = 1200 on gamma (no discovery), yet its PMTU to beta is $pg"
out=$(in_ns gamma ping -n -c 1 -W 2 -M do -s 1300 "$(tun_addr beta)" 2>&1)
echo "$out"
echo "$out" | grep -Eiq "frag needed|message too long|mtu" || fail "PMTU: a 1300-byte DF ping gamma -> beta got no frag needed: $out"
ping_check gamma beta 3 0 || fail "PMTU: normal pings gamma -> beta lost"
note "PMTU ok"

assert_alive alpha beta gamma
pass
