#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Send malformed or truncated meta-protocol input to a tinc-compatible daemon.

  metaabuse.py ADDR PORT MODE [NAME]

MODE:
  garbage     a line that is not a request
  huge        8 KiB without a newline (longer than any legal request)
  hugeline    8 KiB followed by a newline
  wrongid     a request other than ID as the first line ("4 0 1")
  badid       ID lines with broken fields ("0", "0 bad/name 17", "0 x 99999999999")
  unknown     "0 nosuchhost 17": a host we have no host file for
  midhandshake  a valid ID for NAME, read the daemon's ID and METAKEY, hang up
  badmetakey  a valid ID for NAME, then a METAKEY with a non-hex key
  binary      random bytes including NUL and 0xff
  flood       100 connections opened and closed at once
  idflood N   N connections (up to 32 at a time), each sending an ID with a
              random bogus name of 2002 characters; prints how many the daemon answered by
              closing ("closed") and how many it refused before reading
  burst N     N connections opened at once, sending nothing; after 1.5 s
              counts those the daemon closed at once ("refused") and those
              still open, waiting for our ID ("accepted")

Prints one line "MODE: <what happened>" and exits 0 as long as the
daemon's reaction was to close or ignore (never a hang beyond the timeout);
exit 2 on usage errors. The caller checks that the daemon survived.
"""
import os
import random
import selectors
import socket
import string
import sys
import time

TIMEOUT = 2


def connect(addr, port):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def drain(s, limit=65536):
    """Read until EOF, timeout or limit; return (bytes, closed)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(4096)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True
    return data, False


def send_and_watch(addr, port, payload, hold=False):
    s = connect(addr, port)
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        return "closed while sending"
    data, closed = drain(s)
    s.close()
    first = data.split(b"\n", 1)[0][:60]
    return "%s after %d bytes (first line %r)" % ("closed" if closed else "left open", len(data), first)


def idflood(addr, port, count):
    """Keep up to 32 connections in flight, each sending one bogus ID."""
    sel = selectors.DefaultSelector()
    sent = closed = errors = 0
    inflight = 0
    deadline = time.monotonic() + 120
    letters = string.ascii_letters + string.digits
    while (sent < count or inflight) and time.monotonic() < deadline:
        while sent < count and inflight < 32:
            # as long as a name may be (2048): what costs the daemon most
            name = "x" + os.urandom(1000).hex() + random.choice(letters)
            try:
                s = socket.create_connection((addr, port), timeout=TIMEOUT)
                s.sendall(b"0 %s 17\n" % name.encode())
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ)
                inflight += 1
            except OSError:
                errors += 1
            sent += 1
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                inflight -= 1
                closed += 1
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    return "sent %d bogus IDs, %d closed by the daemon, %d connect errors, %d left open" % (
        sent, closed, errors, inflight)


def burst(addr, port, count):
    """Open count connections at once; the daemon closes refused ones at once."""
    socks = []
    errors = 0
    for _ in range(count):
        try:
            socks.append(connect(addr, port))
        except OSError:
            errors += 1
    time.sleep(1.5)  # a refused connection is closed within milliseconds
    refused = accepted = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(1)
            refused += 1 if not data else 0
            accepted += 1 if data else 0
        except BlockingIOError:
            accepted += 1  # still open: the daemon waits for our ID
        except OSError:
            refused += 1
        s.close()
    return "accepted %d refused %d errors %d" % (accepted, refused + errors, errors)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    addr, port, mode = argv[1], int(argv[2]), argv[3]
    name = argv[4] if len(argv) > 4 else "foo"
    if mode == "garbage":
        res = send_and_watch(addr, port, b"hello there, this is no request\n")
    elif mode == "huge":
        res = send_and_watch(addr, port, b"0 " + b"A" * 8192)
    elif mode == "hugeline":
        res = send_and_watch(addr, port, b"0 " + b"A" * 8192 + b" 17\n")
    elif mode == "wrongid":
        res = send_and_watch(addr, port, b"4 0 1\n")
    elif mode == "badid":
        res = "; ".join(send_and_watch(addr, port, line) for line in
                        (b"0\n", b"0 bad/name 17\n", b"0 x 99999999999\n", b"0 %s -1\n" % name.encode(),
                         b"0 %s 17.999999999999\n" % name.encode(), b"\n\n\n"))
    elif mode == "unknown":
        res = send_and_watch(addr, port, b"0 nosuchhost 17\n")
    elif mode == "midhandshake":
        s = connect(addr, port)
        s.sendall(b"0 %s 17\n" % name.encode())
        got = b""
        try:
            while got.count(b"\n") < 2:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        s.close()
        lines = got.split(b"\n")
        res = "hung up after the daemon sent %d line(s) (%r...)" % (got.count(b"\n"), lines[0][:40])
    elif mode == "badmetakey":
        s = connect(addr, port)
        s.sendall(b"0 %s 17\n" % name.encode())
        s.sendall(b"1 427 672 4 0 " + b"ZZ" * 256 + b"\n")
        data, closed = drain(s)
        s.close()
        res = "%s after %d bytes" % ("closed" if closed else "left open", len(data))
    elif mode == "binary":
        res = send_and_watch(addr, port, bytes([0, 255, 10, 0, 13, 10]) + os.urandom(3000) + b"\n")
    elif mode == "flood":
        socks = []
        for _ in range(100):
            try:
                socks.append(connect(addr, port))
            except OSError:
                break
        for s in socks:
            s.close()
        res = "opened %d connections" % len(socks)
    elif mode == "idflood":
        res = idflood(addr, port, int(name) if len(argv) > 4 else 20000)
    elif mode == "burst":
        res = burst(addr, port, int(name) if len(argv) > 4 else 20)
    else:
        sys.stderr.write("unknown mode %s\n" % mode)
        return 2
    print("%s: %s" % (mode, res), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as err:
        # a refused connection is a result too: the caller checks liveness
        print("%s: error %s" % (sys.argv[3] if len(sys.argv) > 3 else "?", err), flush=True)
        sys.exit(1)
