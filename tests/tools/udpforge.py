#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Forged, short, tampered and replayed UDP datagrams for a VPN daemon's port.

  udpforge.py junk ADDR PORT COUNT
      COUNT datagrams of random length (0..1600) and content from an
      ephemeral port, plus the lengths 0, 1, 3, 4, 7, 8, 11 and 12.
  udpforge.py replay IFACE DST PORT COUNT
      Run in the namespace of a real peer while it sends tunnel traffic to
      DST:PORT: capture one outgoing datagram on IFACE (AF_PACKET) and
      re-inject the identical Ethernet frame COUNT times (a replay with the
      peer's own address, port and sequence number), then COUNT tampered
      copies (payload bytes flipped, UDP checksum cleared) and COUNT
      truncated copies.

  udpforge.py grab IFACE DST PORT FILE
      Capture one outgoing tunnel datagram to DST:PORT on IFACE and write
      its UDP payload to FILE (an eavesdropper's copy).
  udpforge.py resend ADDR PORT FILE COUNT
      Send the payload in FILE COUNT times to ADDR:PORT from an ephemeral
      port of this namespace (the copy replayed from another address).

Prints a one-line summary. Needs root for AF_PACKET.
"""
import os
import random
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800


def junk(addr, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for length in [0, 1, 3, 4, 7, 8, 11, 12] + [random.randint(0, 1600) for _ in range(count)]:
        s.sendto(os.urandom(length), (addr, port))
        sent += 1
    s.close()
    print("junk: sent %d datagrams to %s:%d" % (sent, addr, port))


def capture(iface, dst, port, deadline):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.5)
    want = socket.inet_aton(dst)
    try:
        while time.monotonic() < deadline:
            try:
                frame = s.recv(65535)
            except socket.timeout:
                continue
            if len(frame) < 14 + 20 + 8 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
                continue
            ip = frame[14:]
            ihl = (ip[0] & 0x0F) * 4
            if ip[9] != 17 or ip[16:20] != want:
                continue
            udp = ip[ihl:]
            dport = struct.unpack("!H", udp[2:4])[0]
            # tunnel packets carry at least a sequence number and a MAC
            if dport == port and len(udp) > 8 + 40:
                return frame
    finally:
        s.close()
    return None


def replay(iface, dst, port, count):
    frame = capture(iface, dst, port, time.monotonic() + 15)
    if frame is None:
        print("replay: no outgoing datagram to %s:%d seen on %s" % (dst, port, iface))
        return 1
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    ihl = (frame[14] & 0x0F) * 4
    udp_off = 14 + ihl
    for _ in range(count):
        s.send(frame)
    tampered = bytearray(frame)
    tampered[udp_off + 6:udp_off + 8] = b"\0\0"  # no UDP checksum
    for i in range(count):
        t = bytearray(tampered)
        pos = udp_off + 8 + (i * 7) % (len(frame) - udp_off - 8)
        t[pos] ^= 0xFF
        s.send(bytes(t))
    # truncated: shorten the UDP payload, fix the IP and UDP length fields
    for i in range(count):
        keep = (i * 5) % 24
        t = bytearray(tampered[:udp_off + 8 + keep])
        struct.pack_into("!H", t, 14 + 2, ihl + 8 + keep)
        struct.pack_into("!H", t, 14 + 10, 0)
        csum = ip_checksum(bytes(t[14:14 + ihl]))
        struct.pack_into("!H", t, 14 + 10, csum)
        struct.pack_into("!H", t, udp_off + 4, 8 + keep)
        s.send(bytes(t))
    s.close()
    print("replay: re-sent a %d-byte frame %d times, %d tampered, %d truncated copies"
          % (len(frame), count, count, count))
    return 0


def udp_payload(frame):
    ihl = (frame[14] & 0x0F) * 4
    return frame[14 + ihl + 8:]


def grab(iface, dst, port, path):
    frame = capture(iface, dst, port, time.monotonic() + 15)
    if frame is None:
        print("grab: no outgoing datagram to %s:%d seen on %s" % (dst, port, iface))
        return 1
    payload = udp_payload(frame)
    with open(path, "wb") as f:
        f.write(payload)
    print("grab: captured a %d-byte datagram to %s:%d" % (len(payload), dst, port))
    return 0


def resend(addr, port, path, count):
    with open(path, "rb") as f:
        payload = f.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(count):
        s.sendto(payload, (addr, port))
        time.sleep(0.01)
    print("resend: sent the %d-byte datagram %d times to %s:%d from %s:%d"
          % ((len(payload), count, addr, port) + s.getsockname()))
    s.close()
    return 0


def ip_checksum(header):
    total = 0
    for i in range(0, len(header), 2):
        total += (header[i] << 8) + header[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main(argv):
    if len(argv) == 5 and argv[1] == "junk":
        junk(argv[2], int(argv[3]), int(argv[4]))
        return 0
    if len(argv) == 6 and argv[1] == "replay":
        return replay(argv[2], argv[3], int(argv[4]), int(argv[5]))
    if len(argv) == 6 and argv[1] == "grab":
        return grab(argv[2], argv[3], int(argv[4]), argv[5])
    if len(argv) == 6 and argv[1] == "resend":
        return resend(argv[2], int(argv[3]), argv[4], int(argv[5]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
