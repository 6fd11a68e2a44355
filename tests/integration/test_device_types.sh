#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# tinc 1.1's DeviceType values, each between two Plexus nodes px and peer
# (peer always on a TUN/TAP device):
#
# refused:    uml and an unknown name: px exits non-zero at start-up
#             with a message naming the type (no fallback to tun); fd
#             without Device, raw_socket without Interface, multicast with
#             a unicast address are refused the same way.
# dummy:      px has no interface at all; the meta connection comes up.
# fd:         a parent process opens a TUN device and hands px the
#             descriptor, once inherited (Device = 7) and once over a unix
#             socket (Device = PATH); pings and a bulk transfer go through.
# raw_socket: px (switch mode) carries the frames of a veth whose other end
#             is in a third namespace ("lan") holding px's VPN address; lan
#             and peer ping each other and move bulk data.
# multicast:  px (switch mode) joins a group in its namespace and reaches
#             peer from a second process on the same group (lan side).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping ip

# fdparent.py: opens TUN IFNAME with ADDR/16 and either execs the daemon
# with the descriptor as fd 7 (exec) or hands it out over a unix socket
# (serve), once.
cat >"$PXT_TMP/fdparent.py" <<'PYEOF'
import array, fcntl, os, socket, struct, subprocess, sys
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
def open_tun(name, addr):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    subprocess.check_call(["ip", "addr", "add", addr + "/16", "dev", name])
    subprocess.check_call(["ip", "link", "set", name, "up"])
    return fd
mode = sys.argv[1]
if mode == "exec":
    real, name, addr = sys.argv[2:5]
    fd = open_tun(name, addr)
    os.dup2(fd, 7)
    os.close(fd)
    os.execv(real, [real] + sys.argv[5:])
else:
    path, name, addr = sys.argv[2:5]
    fd = open_tun(name, addr)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(30)
    print("listening", flush=True)
    conn, _ = srv.accept()
    conn.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
    conn.close()
    print("sent", flush=True)
PYEOF

# quiet_up NODE: a tinc-up that only records it ran (the device is not ours
# to configure).
quiet_up() {
	printf '#!/bin/sh\necho "tinc-up INTERFACE=$INTERFACE" >>"%s"\n' "$PXT_TMP/$1.scripts" >"${N_DIR[$1]}/tinc-up"
	printf '#!/bin/sh\necho tinc-down >>"%s"\n' "$PXT_TMP/$1.scripts" >"${N_DIR[$1]}/tinc-down"
}

set_var() {
	sed -i "/^$2 *=/d" "${N_CONF[$1]}"
	node_conf "$1" "$2 = $3"
}

# refuse NODE "DeviceType" "REGEX": start-up must fail naming the reason.
expect_refusal() {
	local what=$1 re=$2
	start_node_expect_fail px 20
	assert_log px "$re" "px: $what not refused with /$re/"
	assert_no_log px "is a Linux tun device|Ready" "px: $what fell back to a device"
	note "$what: exit $PXT_RC, $(grep -hE -m1 -- "$re" "${N_LOG[px]}" "${N_OUT[px]}" | sed 's/^.*\] //' | head -1)"
}

refused_part() {
	make_node px plexus
	make_node peer plexus
	connect_to px peer
	set_var px DeviceType uml
	expect_refusal "DeviceType = uml" "DeviceType = uml is not supported"
	set_var px DeviceType tunnel
	expect_refusal "DeviceType = tunnel" "Unknown DeviceType = tunnel"
	set_var px DeviceType fd
	expect_refusal "fd without Device" "DeviceType = fd needs Device"
	set_var px Device 77
	expect_refusal "fd 77 (not open)" "77 is not an open file descriptor"
	set_var px Device "$PXT_TMP/no-such-socket"
	expect_refusal "fd from a missing socket" "Could not connect to unix socket"
	sed -i '/^Interface *=/d; /^Device *=/d' "${N_CONF[px]}"
	set_var px DeviceType raw_socket
	expect_refusal "raw_socket without Interface" "DeviceType = raw_socket needs Interface"
	set_var px Interface nosuch0
	expect_refusal "raw_socket on a missing interface" "raw_socket: no interface nosuch0"
	set_var px DeviceType multicast
	set_var px Device "198.18.1.1 5000"
	expect_refusal "multicast to a unicast address" "not a multicast address"
}

dummy_part() {
	make_node px plexus
	make_node peer plexus
	connect_to px peer
	set_var px DeviceType dummy
	quiet_up px
	start_node peer
	start_node px
	wait_log px "Connection with peer .* activated" 30 || fail "px (dummy) made no meta connection"
	wait_log peer "Connection with px .* activated" 10 || fail "peer did not activate px"
	assert_log px "Using the dummy device" "px did not say it uses the dummy device"
	! in_ns px ip link show "$PXT_IFNAME" >/dev/null 2>&1 || fail "px (dummy) created $PXT_IFNAME"
	sleep 1
	assert_alive px peer
	note "dummy: meta connection up, no interface in px's namespace"
}

fd_part() {
	local how
	make_node px plexus
	make_node peer plexus
	connect_to px peer
	set_var px DeviceType fd
	quiet_up px
	for how in inherited socket; do
		start_node peer
		if [ "$how" = inherited ]; then
			set_var px Device 7
			PLEXUSD_REAL=$PLEXUSD
			PLEXUSD="$PXT_TMP/fdexec.sh"
			printf '#!/bin/sh\nexec python3 "%s" exec "%s" pxfd0 %s "$@"\n' "$PXT_TMP/fdparent.py" \
				"$PLEXUSD_REAL" "$(tun_addr px)" >"$PLEXUSD"
			chmod 755 "$PLEXUSD"
			start_node px
			PLEXUSD=$PLEXUSD_REAL
		else
			set_var px Device "$PXT_TMP/fd.sock"
			in_ns px timeout -k 2 60 python3 "$PXT_TMP/fdparent.py" serve "$PXT_TMP/fd.sock" pxfd0 \
				"$(tun_addr px)" >"$PXT_TMP/fdserve.out" 2>&1 &
			track_pid $!
			for ((i = 0; i < 50; i++)); do
				grep -q listening "$PXT_TMP/fdserve.out" && break
				sleep 0.1
			done
			start_node px
		fi
		up_and_ping px peer 40
		bulk_tcp px peer $((1024 * 1024)) || fail "bulk px -> peer over fd ($how)"
		bulk_tcp peer px $((1024 * 1024)) || fail "bulk peer -> px over fd ($how)"
		assert_log px "fd/[0-9]+ device set up" "px did not set up the fd device ($how)"
		note "fd ($how): ping and 1 MiB each way ok"
		stop_node px
		stop_node peer
		in_ns px ip link del pxfd0 2>/dev/null || true
	done
}

# lan_ns NODE: a third namespace with a veth to NODE's namespace (rs0 on
# NODE's side, eth0 in lan holding NODE's VPN address); sets LAN.
lan_ns() {
	new_name
	LAN=$PXT_NAME
	ip netns add "$LAN" || fail "ip netns add $LAN"
	PXT_NAMESPACES+=("$LAN")
	ip netns exec "$LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$LAN" link set lo up
	ip -n "$LAN" link add eth0 type veth peer name rs0 netns "${N_NS[$1]}" || fail "veth to $LAN"
	ip -n "$LAN" addr add "$(tun_addr "$1")/16" dev eth0
	ip -n "$LAN" link set eth0 up
	ip -n "${N_NS[$1]}" link set rs0 up
}

lan_ping() {
	local i
	for ((i = 0; i < 150; i++)); do
		ip netns exec "$LAN" ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

raw_socket_part() {
	PXT_MODE=switch make_node px plexus
	PXT_MODE=switch make_node peer plexus
	connect_to px peer
	set_var px DeviceType raw_socket
	set_var px Interface rs0
	quiet_up px
	lan_ns px
	start_node peer
	start_node px
	lan_ping "$(tun_addr peer)" || fail "lan cannot ping peer through px's raw_socket"
	ip netns exec "$LAN" ping -n -q -c 10 -i 0.2 -W 2 "$(tun_addr peer)" | tail -2
	in_ns peer ping -n -q -c 5 -W 2 "$(tun_addr px)" >/dev/null || fail "peer cannot ping lan"
	assert_log px "rs0 is a raw_socket device" "px did not open the raw socket"
	assert_alive px peer
	note "raw_socket: lan <-> peer pings ok through rs0"
}

# mcast.py GROUP PORT SECONDS: a second member of px's multicast group
# (the "lan" side): sends 5 broadcast frames of ethertype 0x88b5 into the
# group, then prints the ethertype of every frame px writes to the group.
cat >"$PXT_TMP/mcast.py" <<'PYEOF'
import socket, struct, sys, time
group, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", 0))
s.settimeout(0.2)
me = bytes.fromhex("020000000099")
deadline = time.time() + 5
for i in range(5):
    while True:  # the namespace's IPv6 source address may still be on its way
        try:
            s.sendto(b"\xff" * 6 + me + b"\x88\xb5" + b"plexus-multicast-test %d" % i + bytes(30), (group, port))
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
print("sent 5", flush=True)
end = time.time() + secs
while time.time() < end:
    try:
        d = s.recv(2048)
    except socket.timeout:
        continue
    if len(d) >= 14 and d[6:12] != me:
        print("frame %04x" % struct.unpack("!H", d[12:14]), flush=True)
PYEOF

multicast_part() {
	local group=ff3e:30:2001:db8::4242 rx0 rx1 mpid i
	PXT_MODE=switch make_node px plexus
	PXT_MODE=switch make_node peer plexus
	connect_to px peer
	# IPv6 in px's namespace only, for the group (inside 2001:db8::/32)
	in_ns px sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 \
		net.ipv6.conf.lo.disable_ipv6=0 >/dev/null
	for ((i = 0; i < 50; i++)); do # the group needs a usable IPv6 source address
		in_ns px ip -6 addr show dev eth0 scope link | grep -q "inet6" && break
		sleep 0.1
	done
	set_var px DeviceType multicast
	set_var px Device "$group 5000 1"
	quiet_up px
	start_node peer
	start_node px
	wait_log px "Connection with peer .* activated" 30 || fail "px (multicast) made no meta connection"
	wait_log px "multicast device: Ethernet frames to $group port 5000, TTL 1" 5 || fail "px did not join the group"
	rx0=$(in_ns peer cat /sys/class/net/$PXT_IFNAME/statistics/rx_packets)
	in_ns px timeout -k 2 20 python3 "$PXT_TMP/mcast.py" "$group" 5000 6 >"$PXT_TMP/mcast.out" 2>&1 &
	mpid=$!
	track_pid $mpid
	for ((i = 0; i < 50; i++)); do
		grep -q "^sent" "$PXT_TMP/mcast.out" && break
		sleep 0.1
	done
	# peer's ARP broadcasts go to every switch port: px writes them to the group
	in_ns peer ping -n -q -c 3 -W 1 198.19.0.77 >/dev/null 2>&1 || true
	wait "$mpid" 2>/dev/null || true
	grep -q "frame 0806" "$PXT_TMP/mcast.out" || fail "no ARP frame from peer arrived in the group: $(cat "$PXT_TMP/mcast.out")"
	rx1=$(in_ns peer cat /sys/class/net/$PXT_IFNAME/statistics/rx_packets)
	((rx1 - rx0 >= 5)) || fail "peer's device received $((rx1 - rx0)) frames, not the 5 sent into the group"
	assert_alive px peer
	note "multicast: group -> peer $((rx1 - rx0)) frames (5 sent), peer -> group $(grep -c '^frame' "$PXT_TMP/mcast.out") frames"
}

if [ "${1:-}" = --part ]; then
	PXT_TEST="${PXT_TEST}[$2]"
	"$2"_part
	pass
fi

rc=0
for part in refused dummy fd raw_socket multicast; do
	"$0" --part "$part" || rc=1
done
[ "$rc" = 0 ] || fail "a part failed"
pass
