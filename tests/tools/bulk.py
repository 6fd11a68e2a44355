#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Bulk TCP transfer with an end-to-end checksum, for tests through a tunnel.

  bulk.py serve ADDR PORT          accept one connection, print
                                   "received <bytes> <sha256>"
  bulk.py send ADDR PORT BYTES     send BYTES random bytes, print
                                   "sent <bytes> <sha256>"

iperf3 only counts bytes; this also proves that every byte arrived intact
and in order. Both sides have socket timeouts so nothing can hang forever.
"""
import hashlib
import os
import socket
import sys

CHUNK = 65536
IO_TIMEOUT = 30


def serve(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    srv.settimeout(60)
    print("listening", addr, port, flush=True)
    conn, _ = srv.accept()
    conn.settimeout(IO_TIMEOUT)
    digest = hashlib.sha256()
    total = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        digest.update(data)
        total += len(data)
    conn.close()
    srv.close()
    print("received", total, digest.hexdigest(), flush=True)


def send(addr, port, nbytes):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.settimeout(IO_TIMEOUT)
    sock.connect((addr, port))
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    left = nbytes
    counter = 0
    while left > 0:
        # vary the data cheaply so a repeated block cannot hide reordering
        counter += 1
        chunk = counter.to_bytes(8, "big") + block[8:min(CHUNK, left)]
        chunk = chunk[:min(CHUNK, left)]
        sock.sendall(chunk)
        digest.update(chunk)
        left -= len(chunk)
    sock.shutdown(socket.SHUT_WR)
    # wait for the server to close: all data was consumed
    while sock.recv(CHUNK):
        pass
    sock.close()
    print("sent", nbytes, digest.hexdigest(), flush=True)


def main(argv):
    if len(argv) == 4 and argv[1] == "serve":
        serve(argv[2], int(argv[3]))
    elif len(argv) == 5 and argv[1] == "send":
        send(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, socket.timeout) as err:
        print("error", err, flush=True)
        sys.exit(1)
