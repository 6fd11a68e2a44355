#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# plexus invite / plexus join (tinc 1.1's invitation protocol): a node made
# from nothing but an invitation URL connects and pings; the invitation
# works once; an expired, reused or malformed invitation is refused with a
# clear message on both sides; dump invitations lists what is outstanding.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd ping
[ "$PXT_KIND" = plexus ] || skip "invitations are tested between plexus nodes"
require_kind plexus
require_cli

make_node alpha plexus
make_node beta plexus # namespace only: its configuration comes from the invitation
make_node gamma plexus
BDIR=${N_DIR[beta]}
rm -rf "$BDIR"
PXT_NO_EXCHANGE=1 start_node alpha

# plexus join, in the joiner's namespace, with its output in $OUT
join() {
	local node=$1 dir=$2 url=$3
	OUT=$(in_ns "$node" timeout -k 2 20 "$PLEXUS_CLI" -b -c "$dir" join "$url" 2>&1)
}
invite() {
	OUT=$(plexus_cli alpha invite "$1" 2>&1) || fail "plexus invite $1 failed: $OUT"
	URL=$(echo "$OUT" | tail -n 1)
}

invite beta
note "URL: $URL"
[[ $URL =~ ^198\.18\.1\.1:655/[A-Za-z0-9_-]{48}$ ]] || fail "invite: URL not of the form host:port/48 chars: $URL"
ls "${N_DIR[alpha]}/invitations" | grep -Eq '^[A-Za-z0-9_-]{24}$' || fail "no invitation file"
[ "$(stat -c %a "${N_DIR[alpha]}/invitations/ed25519_key.priv")" = 600 ] || fail "invitation key not mode 600"
DUMP=$(plexus_cli alpha dump invitations 2>&1)
echo "$DUMP" | grep -Eq '^[A-Za-z0-9_-]{24} beta$' || fail "dump invitations: $DUMP"

join beta "$BDIR" "$URL" || fail "join failed: $OUT"
echo "$OUT"
echo "$OUT" | grep -q "Invitation successfully accepted" || fail "join: no success message"
grep -q "^Ed25519PublicKey = " "${N_DIR[alpha]}/hosts/beta" || fail "inviter wrote no hosts/beta"
grep -q "^ConnectTo = alpha" "$BDIR/plexus.conf" || fail "joined config lacks ConnectTo = alpha"
grep -q "^Address = 198.18.1.1" "$BDIR/hosts/alpha" || fail "joined node lacks hosts/alpha"
[ -s "$BDIR/ed25519_key.priv" ] || fail "joined node has no Ed25519 key"
[ -z "$(ls "${N_DIR[alpha]}/invitations" | grep -v ed25519_key.priv)" ] || fail "invitation file left behind"
wait_log alpha "Key successfully received from beta" 5 || fail "inviter did not log the new key"

# the joined node: give it an address, then it must reach alpha
node_conf_b() { printf '%s\n' "$@" >>"$BDIR/plexus.conf"; }
node_conf_b "Interface = $PXT_IFNAME"
echo "Subnet = $(tun_addr beta)/32" >>"$BDIR/hosts/beta"
printf '#!/bin/sh\nip addr add %s/16 dev "$INTERFACE"\nip link set "$INTERFACE" up\n' "$(tun_addr beta)" >"$BDIR/tinc-up"
chmod 755 "$BDIR/tinc-up"
N_DIR[beta]=$BDIR
N_CONF[beta]=$BDIR/plexus.conf
PXT_NO_EXCHANGE=1 start_node beta
wait_ping beta alpha 30 || fail "joined node cannot ping the inviter"
ping_check alpha beta 3 0 || fail "inviter cannot ping the joined node"

# reuse: refused on both sides
join gamma "$PXT_TMP/g1" "$URL" && fail "a used invitation was accepted again"
echo "$OUT" | grep -q "Invitation cancelled" || fail "reuse: joiner message: $OUT"
wait_log alpha "tried to use non-existing invitation" 5 || fail "reuse: no log line on the inviter"
[ -e "$PXT_TMP/g1/plexus.conf" ] && fail "reuse: joiner wrote a configuration"

# expired
node_conf alpha "InvitationExpire = 60"
plexus_cli alpha reload || fail "reload"
invite gamma
touch -d '-120 seconds' "${N_DIR[alpha]}"/invitations/???????????????????????? 2>/dev/null
join gamma "$PXT_TMP/g2" "$URL" && fail "an expired invitation was accepted"
wait_log alpha "tried to use expired invitation" 5 || fail "expired: no log line on the inviter"
[ -e "${N_DIR[alpha]}/hosts/gamma" ] && fail "expired: inviter wrote hosts/gamma"

# malformed: URL syntax, wrong key hash, bad key in the ID line
join gamma "$PXT_TMP/g3" "198.18.1.1:655/tooshort" && fail "malformed URL accepted"
echo "$OUT" | grep -q "Invalid invitation URL" || fail "malformed URL: $OUT"
invite gamma
BAD=${URL%/*}/AAAAAAAAAAAAAAAAAAAAAAAA${URL: -24}
join gamma "$PXT_TMP/g4" "$BAD" && fail "URL with a wrong key hash accepted"
echo "$OUT" | grep -q "Peer has an invalid key" || fail "wrong key hash: $OUT"
in_ns gamma timeout 5 bash -c 'exec 3<>/dev/tcp/198.18.1.1/655; echo "0 ?notakey 17.1" >&3; cat <&3 >/dev/null' || true
wait_log alpha "Got bad invitation from" 5 || fail "bad invitation key: no log line"
# the outstanding invitation still works after all that
join gamma "$PXT_TMP/g5" "$URL" || fail "join of gamma failed: $OUT"
assert_alive alpha beta
pass
