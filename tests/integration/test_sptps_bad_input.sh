#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# Bad SPTPS input against a running pair (alpha, beta) while pings flow:
#   - forged records carrying alpha's node ID from a third namespace:
#     random bodies of every short length (truncated: shorter than a
#     record header + tag), ordinary lengths, oversized (up to 65000
#     bytes), records addressed to other node IDs (relay path), records
#     with a zero source ID;
#   - real datagrams of alpha's captured on its interface and re-injected
#     with alpha's address: identical (replayed), in reverse order
#     (reordered replays), tampered and truncated copies.
# Each kind is dropped with a log line (debug level 5: one per record;
# level 2: a per-second summary), no daemon dies, the channel keeps
# working (pings right after each abuse), the forgeries do not make beta
# restart its session more than once a second, and the key stays valid.
# Handshake records out of order and signatures by the wrong key cannot be
# injected from outside the VPN (they travel in the encrypted meta
# connections): tests/unit/sptps_session_test and sptps_rekey_test cover
# them at the library level.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sptps_lib.sh"
require_root
require_cmd python3 ping
require_kind plexus
require_cli
require_sptps

two_node_net plexus plexus
PXT_DEBUG=5
start_node beta
start_node alpha
up_and_ping alpha beta 30
assert_proto alpha beta sptps
netns_create 99
EVIL=$PXT_NS
BETA_IP=$(underlay_addr beta)

still_ok() {
	assert_alive alpha beta
	ping_check alpha beta 5 1 || fail "VPN no longer pings after $1"
	ping_check beta alpha 3 1 || fail "VPN beta -> alpha no longer pings after $1"
	[ "$(describe_of beta alpha)" = sptps ] || fail "beta's session with alpha is '$(describe_of beta alpha)' after $1"
}

forge() { # forge MODE COUNT: datagrams from the attacker namespace
	ip netns exec "$EVIL" timeout -k 2 60 python3 - "$BETA_IP" "$PXT_PORT" "$1" "$2" <<'PY'
import hashlib, os, random, socket, sys
addr, port, mode, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
nid = lambda name: hashlib.sha512(name.encode()).digest()[:6]
alpha, beta, zero = nid("alpha"), nid("beta"), bytes(6)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for i in range(count):
    if mode == "short":      # node IDs plus 0..20 bytes: no room for a record
        body = os.urandom(i % 21)
        pkt = zero + alpha + body
    elif mode == "forged":   # plausible records, wrong tag
        seq = random.randrange(0, 1 << 32).to_bytes(4, "big")
        pkt = zero + alpha + seq + os.urandom(random.randint(17, 1400))
    elif mode == "oversized":
        pkt = zero + alpha + os.urandom(random.choice([1600, 4000, 9000, 65000]))
    elif mode == "relay":    # for another node (beta must not relay garbage forever)
        pkt = nid("nobody") + alpha + os.urandom(100)
    elif mode == "zerosrc":
        pkt = zero + zero + os.urandom(100)
    elif mode == "toself":
        pkt = beta + alpha + os.urandom(200)
    try:
        s.sendto(pkt, (addr, port))
        sent += 1
    except OSError:
        pass
print("%s: sent %d datagrams" % (mode, sent))
PY
}

for mode in short forged oversized relay zerosrc toself; do
	out=$(forge "$mode" 400 2>&1)
	note "$out"
	still_ok "$mode records"
done
assert_log beta "Datagram of [0-9]+ bytes is too short|truncated" "no log line for truncated records"
assert_log beta "Failed to decrypt and verify" "no log line for forged records"
assert_log beta "Dropped [0-9]+ SPTPS record" "no summary line for dropped records"

# real datagrams of alpha, captured and replayed with alpha's own address
capture_replay() {
	in_ns alpha timeout -k 2 40 python3 - eth0 "$BETA_IP" "$PXT_PORT" <<'PY'
import socket, struct, sys, time
iface, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
s.settimeout(0.5)
want = socket.inet_aton(dst)
frames, deadline = [], time.monotonic() + 20
while len(frames) < 20 and time.monotonic() < deadline:
    try:
        f = s.recv(65535)
    except socket.timeout:
        continue
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17 or f[30:34] != want:
        continue
    ihl = (f[14] & 15) * 4
    if struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0] != port:
        continue
    frames.append(f)
def fix(f, payload):
    # new UDP payload: fix IP total length and checksum, clear the UDP checksum
    ihl = (f[14] & 15) * 4
    ip = bytearray(f[14:14 + ihl])
    ip[2:4] = struct.pack("!H", ihl + 8 + len(payload))
    ip[10:12] = b"\0\0"
    c = sum(struct.unpack("!%dH" % (ihl // 2), bytes(ip)))
    while c >> 16:
        c = (c & 0xffff) + (c >> 16)
    ip[10:12] = struct.pack("!H", ~c & 0xffff)
    udp = bytearray(f[14 + ihl:14 + ihl + 8])
    udp[4:6] = struct.pack("!H", 8 + len(payload))
    udp[6:8] = b"\0\0"
    return f[:14] + bytes(ip) + bytes(udp) + payload
def payload(f):
    ihl = (f[14] & 15) * 4
    return f[14 + ihl + 8:]
# (captured frames may carry a partial checksum (offload): always rebuild)
n = 0
for f in frames:                 # replayed, in order
    s.send(fix(f, payload(f))); n += 1
for f in reversed(frames):       # reordered replays
    s.send(fix(f, payload(f))); n += 1
for f in frames:                 # tampered: one bit of the ciphertext
    ihl = (f[14] & 15) * 4
    p = bytearray(f[14 + ihl + 8:])
    p[len(p) // 2] ^= 0x40
    s.send(fix(f, bytes(p))); n += 1
for f in frames:                 # truncated: tag cut off, then header only
    ihl = (f[14] & 15) * 4
    p = f[14 + ihl + 8:]
    s.send(fix(f, p[:-16])); s.send(fix(f, p[:14])); n += 2
print("captured %d datagrams, injected %d" % (len(frames), n))
sys.exit(0 if frames else 1)
PY
}
in_ns alpha timeout 30 ping -n -q -c 100 -i 0.1 "$(tun_addr beta)" >/dev/null 2>&1 &
ppid=$!
track_pid "$ppid"
out=$(capture_replay 2>&1) || fail "could not capture alpha's datagrams: $out"
note "$out"
wait "$ppid"
still_ok "replayed, reordered, tampered and truncated datagrams"
assert_log beta "Late or replayed record" "no log line for replayed records"

nudges=$(count_log beta "do not match our SPTPS session")
note "fresh handshakes beta started because of bad records: $nudges"
[ "$nudges" -le 3 ] || fail "forged records made beta restart its session $nudges times"
for n in alpha beta; do
	assert_no_log "$n" "AddressSanitizer|runtime error|Restarting the SPTPS"
done
bulk_tcp alpha beta $((2 * 1024 * 1024)) || fail "2 MB TCP after the abuse"
assert_alive alpha beta
pass
