#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""A small proxy for the integration tests: SOCKS 4, SOCKS 5 (no auth or
user/password) and HTTP CONNECT on one port, told apart by the first byte.
Every request is logged as one line (flushed at once) so a test can grep
what was relayed:

  CONNECT socks5 198.18.1.2:655 from 198.18.1.1 user=alice
  REFUSED socks5 from 198.18.1.1: bad password for user alice
  CLOSED socks5 198.18.1.2:655 up=1234 down=5678

Modes:
  serve HOST PORT --log FILE [--user U --password P] [--lifetime S]
        [--misbehave huge]
      --misbehave huge: answer every request with a 200 status line and
      then 64 KiB of header lines (a proxy reply no client should buffer).
  pipe PROXYHOST PROXYPORT [--env-log FILE]
      For Proxy = exec: HTTP CONNECT to $REMOTEADDRESS:$REMOTEPORT through
      the proxy, then copy stdin -> proxy and proxy -> stdout. The
      environment variables tinc passes are written to --env-log and sent
      as an X-Exec-Env header (so they show in the proxy's log).

Only for tests: no outside network, bounded by --lifetime.
"""
import argparse
import os
import select
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()


def log(path, line):
    with LOCK:
        with open(path, "a") as f:
            f.write(line + "\n")


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("client closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def relay(a, b, limit_s):
    """Copy both ways until either side closes; returns (a->b, b->a) bytes."""
    up = down = 0
    end = time.monotonic() + limit_s
    socks = [a, b]
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], 1.0)
        for s in r:
            data = s.recv(65536)
            if not data:
                return up, down
            if s is a:
                b.sendall(data)
                up += len(data)
            else:
                a.sendall(data)
                down += len(data)
    return up, down


def misbehave(client, peer, args):
    try:
        client.recv(4096)
        client.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"y" * 50 + b"\r\n" * 1 + b"X-More: zz\r\n" * 5000)
        log(args.log, "MISBEHAVED huge reply to %s" % peer[0])
    except OSError as e:
        log(args.log, "MISBEHAVED huge reply to %s: %s" % (peer[0], e))
    client.close()


def handle(client, peer, args):
    if args.misbehave:
        return misbehave(client, peer, args)
    kind, target, user = "?", None, None
    try:
        first = recv_exact(client, 1)
        if first == b"\x04":
            kind = "socks4"
            cmd, port, ip = struct.unpack("!BH4s", recv_exact(client, 7))
            uid = b""
            while True:
                c = recv_exact(client, 1)
                if c == b"\0":
                    break
                uid += c
                if len(uid) > 512:
                    raise ValueError("user id too long")
            user = uid.decode(errors="replace")
            target = (socket.inet_ntoa(ip), port)
            if cmd != 1:
                client.sendall(b"\x00\x5b" + b"\0" * 6)
                raise ValueError("command %d" % cmd)
            out = socket.create_connection(target, timeout=5)
            client.sendall(b"\x00\x5a" + b"\0" * 6)
        elif first == b"\x05":
            kind = "socks5"
            (nmethods,) = recv_exact(client, 1)
            methods = recv_exact(client, nmethods)
            want = 2 if args.user else 0
            if want not in methods:
                client.sendall(b"\x05\xff")
                raise ValueError("no acceptable method in %r" % methods)
            client.sendall(bytes([5, want]))
            if want == 2:
                ver, ulen = recv_exact(client, 2)
                user = recv_exact(client, ulen).decode(errors="replace")
                (plen,) = recv_exact(client, 1)
                pw = recv_exact(client, plen).decode(errors="replace")
                if ver != 1 or user != args.user or pw != args.password:
                    client.sendall(b"\x01\x01")
                    raise ValueError("bad password for user %s" % user)
                client.sendall(b"\x01\x00")
            ver, cmd, _, atyp = recv_exact(client, 4)
            if atyp == 1:
                host = socket.inet_ntoa(recv_exact(client, 4))
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, recv_exact(client, 16))
            else:
                client.sendall(b"\x05\x08\x00\x01" + b"\0" * 6)
                raise ValueError("address type %d" % atyp)
            (port,) = struct.unpack("!H", recv_exact(client, 2))
            target = (host, port)
            try:
                out = socket.create_connection(target, timeout=5)
            except OSError:
                client.sendall(b"\x05\x05\x00\x01" + b"\0" * 6)
                raise
            bound = out.getsockname()
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton(bound[0]) + struct.pack("!H", bound[1]))
        elif first == b"C":
            kind = "http"
            head = first
            while b"\r\n\r\n" not in head:
                head += recv_exact(client, 1)
                if len(head) > 8192:
                    raise ValueError("request too long")
            lines = head.decode(errors="replace").split("\r\n")
            method, hostport, _ = lines[0].split(" ", 2)
            if method != "CONNECT":
                raise ValueError("method %s" % method)
            host, port = hostport.rsplit(":", 1)
            target = (host.strip("[]"), int(port))
            extra = [line for line in lines[1:] if line and not line.lower().startswith("host:")]
            if extra:
                user = ";".join(extra)
            out = socket.create_connection(target, timeout=5)
            client.sendall(b"HTTP/1.1 200 Connection established\r\nProxy-agent: testproxy\r\n\r\n")
        else:
            raise ValueError("unknown protocol byte %r" % first)
    except Exception as e:  # noqa: BLE001 - every failure is logged and the client dropped
        log(args.log, "REFUSED %s from %s: %s" % (kind, peer[0], e))
        client.close()
        return
    log(args.log, "CONNECT %s %s:%d from %s%s" % (kind, target[0], target[1], peer[0],
                                                 " user=%s" % user if user else ""))
    try:
        up, down = relay(client, out, args.lifetime)
    except OSError as e:
        up = down = -1
        log(args.log, "ERROR %s %s:%d: %s" % (kind, target[0], target[1], e))
    log(args.log, "CLOSED %s %s:%d up=%d down=%d" % (kind, target[0], target[1], up, down))
    client.close()
    out.close()


def serve(args):
    fam = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(16)
    srv.settimeout(1.0)
    log(args.log, "LISTENING %s:%d" % (args.host, args.port))
    end = time.monotonic() + args.lifetime
    while time.monotonic() < end:
        try:
            client, peer = srv.accept()
        except socket.timeout:
            continue
        client.settimeout(10)
        t = threading.Thread(target=handle, args=(client, peer, args), daemon=True)
        t.start()


def pipe(args):
    env = {k: os.environ.get(k, "") for k in ("REMOTEADDRESS", "REMOTEPORT", "NAME", "NODE", "NETNAME")}
    if args.env_log:
        with open(args.env_log, "a") as f:
            f.write(" ".join("%s=%s" % kv for kv in env.items()) + "\n")
    host = env["REMOTEADDRESS"]
    hostport = "[%s]:%s" % (host, env["REMOTEPORT"]) if ":" in host else "%s:%s" % (host, env["REMOTEPORT"])
    s = socket.create_connection((args.proxyhost, args.proxyport), timeout=10)
    s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\nX-Exec-Env: NAME=%s NODE=%s\r\n\r\n"
               % (hostport, hostport, env["NAME"], env["NODE"])).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        c = s.recv(1)
        if not c:
            sys.exit(3)
        head += c
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(4)
    s.settimeout(None)
    end = time.monotonic() + 600
    while time.monotonic() < end:
        r, _, _ = select.select([0, s], [], [], 1.0)
        if 0 in r:
            data = os.read(0, 65536)
            if not data:
                return
            s.sendall(data)
        if s in r:
            data = s.recv(65536)
            if not data:
                return
            while data:
                data = data[os.write(1, data):]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("--log", required=True)
    s.add_argument("--user")
    s.add_argument("--password")
    s.add_argument("--lifetime", type=float, default=120)
    s.add_argument("--misbehave", choices=["huge"])
    q = sub.add_parser("pipe")
    q.add_argument("proxyhost")
    q.add_argument("proxyport", type=int)
    q.add_argument("--env-log")
    args = p.parse_args()
    if args.mode == "serve":
        serve(args)
    else:
        pipe(args)


if __name__ == "__main__":
    main()
