#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""A tiny UDP impairment relay: delays, jitters (and so reorders) and
optionally drops datagrams between two fixed peers, for tests on kernels
without netem.

  impair.py --left LADDR:LPORT --right RADDR:RPORT \
            --left-peer AADDR:APORT --right-peer BADDR:BPORT \
            [--delay MS] [--jitter MS] [--loss PCT] [--duration S] \
            [--stats FILE] [--pidfile FILE] [--start-off]

Datagrams received on the "left" socket go to the right peer from the
"right" socket, and the other way round. Each one is held for
delay + uniform(0, jitter) ms, so with jitter larger than the gap between
datagrams they leave in a different order than they came. The test puts
nftables DNAT/SNAT rules around it so that both peers still see each
other's real address (see tests/integration/netcond-lib.sh, nc_impair).

SIGUSR1 switches the impairment on, SIGUSR2 off (with --start-off the relay
starts as a plain forwarder), SIGHUP writes the statistics so far.
SIGTERM/SIGINT or --duration end it; the statistics (forwarded, dropped,
reordered, per direction) are printed and written to --stats. Nothing here allocates per datagram beyond Python's
own objects; the relay never runs longer than --duration (default 600 s).
"""
import argparse
import heapq
import os
import random
import select
import signal
import socket
import sys
import time


def hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


class Relay:
    def __init__(self, args):
        self.args = args
        self.on = not args.start_off
        self.left = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.right = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for s, addr in ((self.left, args.left), (self.right, args.right)):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.bind(hostport(addr))
            s.setblocking(False)
        self.left_peer = hostport(args.left_peer)
        self.right_peer = hostport(args.right_peer)
        self.queue = []  # (due, seq, out socket, destination, data, direction)
        self.seq = 0
        self.stats = {d: {"in": 0, "out": 0, "dropped": 0, "reordered": 0, "bytes": 0}
                      for d in ("l2r", "r2l")}
        self.last_sent_seq = {"l2r": -1, "r2l": -1}
        self.stop = False
        self.want_report = False

    def schedule(self, data, direction):
        st = self.stats[direction]
        st["in"] += 1
        if self.on and self.args.loss > 0 and random.random() * 100 < self.args.loss:
            st["dropped"] += 1
            return
        if direction == "l2r":
            out, dst = self.right, self.right_peer
        else:
            out, dst = self.left, self.left_peer
        delay = 0.0
        if self.on:
            delay = (self.args.delay + random.random() * self.args.jitter) / 1000.0
        self.seq += 1
        heapq.heappush(self.queue, (time.monotonic() + delay, self.seq, out, dst, data, direction))

    def flush_due(self):
        now = time.monotonic()
        while self.queue and self.queue[0][0] <= now:
            _, seq, out, dst, data, direction = heapq.heappop(self.queue)
            st = self.stats[direction]
            if seq < self.last_sent_seq[direction]:
                st["reordered"] += 1
            else:
                self.last_sent_seq[direction] = seq
            try:
                out.sendto(data, dst)
                st["out"] += 1
                st["bytes"] += len(data)
            except OSError:
                st["dropped"] += 1

    def receive(self, sock, direction):
        for _ in range(256):
            try:
                data, _src = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # ICMP errors reported on the socket: nothing to forward
                return
            self.schedule(data, direction)

    def run(self):
        end = time.monotonic() + self.args.duration
        while not self.stop and time.monotonic() < end:
            timeout = 0.5
            if self.queue:
                timeout = max(0.0, min(timeout, self.queue[0][0] - time.monotonic()))
            try:
                ready, _, _ = select.select([self.left, self.right], [], [], timeout)
            except InterruptedError:
                continue
            for s in ready:
                self.receive(s, "l2r" if s is self.left else "r2l")
            self.flush_due()
            if self.want_report:
                self.want_report = False
                self.report()

    def report(self):
        lines = []
        for d, st in self.stats.items():
            lines.append("%s in %d out %d dropped %d reordered %d bytes %d" %
                         (d, st["in"], st["out"], st["dropped"], st["reordered"], st["bytes"]))
        text = "\n".join(lines)
        print(text, flush=True)
        if self.args.stats:
            with open(self.args.stats, "w") as f:
                f.write(text + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--left", required=True, help="ADDR:PORT the left socket binds")
    p.add_argument("--right", required=True, help="ADDR:PORT the right socket binds")
    p.add_argument("--left-peer", required=True, help="where datagrams from the right go")
    p.add_argument("--right-peer", required=True, help="where datagrams from the left go")
    p.add_argument("--delay", type=float, default=0.0, help="base delay, ms")
    p.add_argument("--jitter", type=float, default=0.0, help="extra uniform random delay, ms")
    p.add_argument("--loss", type=float, default=0.0, help="drop percentage (0-100)")
    p.add_argument("--duration", type=float, default=600.0, help="stop after S seconds")
    p.add_argument("--stats", help="write the statistics to this file at the end")
    p.add_argument("--pidfile", help="write our PID here (for the signals below)")
    p.add_argument("--start-off", action="store_true", help="start as a plain forwarder")
    args = p.parse_args()

    relay = Relay(args)

    def stop(_sig, _frm):
        relay.stop = True

    def impair_on(_sig, _frm):
        relay.on = True

    def impair_off(_sig, _frm):
        relay.on = False

    def report_now(_sig, _frm):
        relay.want_report = True

    signal.signal(signal.SIGHUP, report_now)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, impair_on)
    signal.signal(signal.SIGUSR2, impair_off)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("relaying", args.left, "<->", args.right, flush=True)
    relay.run()
    relay.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
