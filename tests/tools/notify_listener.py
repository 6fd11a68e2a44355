#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Stand-in for systemd's side of the sd_notify protocol.

  notify_listener.py SOCKET OUTFILE SECONDS

Binds an AF_UNIX datagram socket at SOCKET and appends every message it
receives to OUTFILE as one line (newlines inside a message become '|'),
prefixed with the receive time in milliseconds since the listener started.
Exits after SECONDS or on SIGTERM.
"""
import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    start = time.monotonic()
    with open(out, "a", buffering=1) as f:
        while True:
            left = seconds - (time.monotonic() - start)
            if left <= 0:
                break
            s.settimeout(left)
            try:
                msg = s.recv(4096)
            except socket.timeout:
                break
            ms = int((time.monotonic() - start) * 1000)
            f.write("%d %s\n" % (ms, msg.decode(errors="replace").replace("\n", "|")))


if __name__ == "__main__":
    main()
