#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# A lone packet must not wait for a batch (issue 15, latency). Both daemons
# run under strace while single pings cross the tunnel; after every wake-up
# that brings a packet from the TUN device, its encrypted datagram must go
# out (sendmmsg/sendmsg/sendto) before the device is read again, and after a
# wake-up that brings a datagram, the frame must be written to the device
# before the socket is read again.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3 ping strace

two_node_net plexus plexus
start_node beta
start_node alpha
up_and_ping alpha beta 30

# tun_fd NODE: the daemon's descriptor of /dev/net/tun.
tun_fd() {
	local f
	for f in /proc/"${N_PID[$1]}"/fd/*; do
		[ "$(readlink "$f")" = /dev/net/tun ] && {
			basename "$f"
			return 0
		}
	done
	return 1
}

declare -A TRACER TUNFD
for n in alpha beta; do
	TUNFD[$n]=$(tun_fd "$n") || fail "$n: no /dev/net/tun descriptor"
	strace -f -qq -p "${N_PID[$n]}" -o "$PXT_TMP/$n.strace" \
		-e trace=epoll_wait,read,readv,write,writev,recvmmsg,recvmsg,recvfrom,sendmmsg,sendmsg,sendto &
	TRACER[$n]=$!
	track_pid "${TRACER[$n]}"
done
for n in alpha beta; do
	for ((i = 0; i < 50; i++)); do
		grep -Eq '^TracerPid:[[:space:]]+[1-9]' "/proc/${N_PID[$n]}/status" && break
		sleep 0.1
	done
	((i < 50)) || fail "strace did not attach to $n"
done

# one echo request at a time, idle in between
ping_check alpha beta 6 0 || fail "pings alpha -> beta lost under strace"
for n in alpha beta; do
	stop_pid "${TRACER[$n]}" 5
done

# check NODE: walk the trace. A wake-up (epoll_wait) that is followed by a
# successful device read must see a send before the next device read; one
# followed by a received datagram must see a device write before the next
# socket read. Prints the counts, fails on the first violation.
check() {
	local n=$1
	awk -v fd="${TUNFD[$n]}" -v node="$n" '
	{ sub(/^[0-9]+ +/, "") }
	/^epoll_wait\(/ { woke = 1; want = ""; lone = 0; next }
	/resumed>/ { next }
	{
		dev = match($0, "^(read|readv)\\(" fd ",")
		ok = $0 !~ /= -1 E/
		if (dev) {
			if (want == "send") { bad++; print node ": TUN read again before the send: " $0; want = "" }
			if (lone && !ok) { extra++; print node ": empty TUN read after a lone packet: " $0 }
			if (woke && ok) { tun++; want = "send"; lone = 1 } else lone = 0
			woke = 0; next
		}
		if ($0 ~ /^(recvmmsg|recvmsg|recvfrom)\(/) {
			if (want == "write") { bad++; print node ": socket read again before the TUN write: " $0; want = "" }
			if (woke && ok && $0 !~ /= 0$/) { udp++; want = "write" }
			woke = 0; next
		}
		if ($0 ~ /^(sendmmsg|sendmsg|sendto)\(/ && want == "send") want = ""
		if ($0 ~ "^(write|writev)\\(" fd "," && want == "write") want = ""
	}
	END { printf "%s %d %d %d %d\n", "counts", tun, udp, bad, extra }' "$PXT_TMP/$n.strace"
}

total_tun=0 total_udp=0
for n in alpha beta; do
	out=$(check "$n")
	echo "$out" | grep -v '^counts' | head -5
	read -r _ tun udp bad extra <<<"$(echo "$out" | grep '^counts')"
	note "$n: $tun wake-ups with a TUN packet, $udp with a datagram, $bad out of order, $extra empty reads"
	((bad == 0)) || fail "$n: a packet waited for another read before going on"
	((extra == 0)) || fail "$n: $extra lone packets were followed by a device read that found nothing"
	total_tun=$((total_tun + tun)) total_udp=$((total_udp + udp))
done
# 6 requests out of alpha's device and 6 replies out of beta's
((total_tun >= 12 && total_udp >= 12)) ||
	fail "too few wake-ups traced ($total_tun TUN, $total_udp UDP; want 12 each)"
assert_alive alpha beta
pass
