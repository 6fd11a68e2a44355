#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Craft update-hosts request lines for test_update_hosts_attacks.sh.

Wire format (docs/update-hosts.md, plugins/update-hosts/codec.c):
  100 NONCE UPDATER SERIAL OP HOST B64DATA LEN SIGLEN B64SIG   HOSTUPDATE
  101 NONCE UPDATER SERIAL B64DATA LEN SIGLEN B64SIG           CONFUPDATE
The signature is RSA-PSS/SHA-256 (salt length = digest length) over
  KIND \\0 UPDATER \\0 SERIAL \\0 OP \\0 HOST \\0 LEN \\0 DATA
made here with the `openssl` command line tool, never with plugin code, so
the test checks the plugin against the documented format.

  craft.py host --key K --updater U --serial S --op OP [--host H] [--data-file F]
  craft.py conf --key K --updater U --serial S --data-file F
  mutations, applied after signing: --flip-sig, --b64data STR, --len N,
  --b64sig STR, --siglen N, --line-host H (a host name other than the signed one)
  craft.py renonce < lines     same lines with fresh nonces (replays that the
                               core's dedupe cache does not catch)
"""
import argparse
import base64
import os
import subprocess
import sys


def sign(keyfile, data):
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-binary", "-sign", keyfile,
         "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"],
        input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if out.returncode != 0 or not out.stdout:
        sys.exit("openssl dgst -sign failed: " + out.stderr.decode(errors="replace"))
    return out.stdout


def nonce():
    return os.urandom(8).hex()


def craft(args):
    data = b""
    if args.data_file:
        with open(args.data_file, "rb") as f:
            data = f.read()
    if args.kind == "host":
        kind, op, host = "HOSTUPDATE", args.op, args.host or "-"
    else:
        kind, op, host = "CONFUPDATE", "CONF", "-"
    signed = b"\0".join(x.encode() for x in (kind, args.updater, str(args.serial), op, host,
                                             str(len(data)))) + b"\0" + data
    sig = sign(args.key, signed)
    if args.flip_sig:
        middle = len(sig) // 2
        sig = sig[:middle] + bytes([sig[middle] ^ 0x01]) + sig[middle + 1:]
    b64data = base64.b64encode(data).decode() if data else "-"
    if args.b64data is not None:
        b64data = args.b64data
    length = str(len(data)) if args.len is None else args.len
    b64sig = base64.b64encode(sig).decode() if args.b64sig is None else args.b64sig
    siglen = str(len(sig)) if args.siglen is None else args.siglen
    if args.line_host is not None:
        host = args.line_host
    if args.kind == "host":
        fields = ["100", nonce(), args.updater, str(args.serial), op, host, b64data, length,
                  siglen, b64sig]
    else:
        fields = ["101", nonce(), args.updater, str(args.serial), b64data, length, siglen, b64sig]
    print(" ".join(fields))


def renonce():
    for line in sys.stdin:
        fields = line.rstrip("\n").split(" ")
        if len(fields) > 2 and fields[0] in ("100", "101"):
            fields[1] = nonce()
        print(" ".join(fields))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "renonce":
        renonce()
        return
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["host", "conf"])
    p.add_argument("--key", required=True)
    p.add_argument("--updater", required=True)
    p.add_argument("--serial", required=True)
    p.add_argument("--op", default="FILE", choices=["START", "FILE", "DEAD", "END"])
    p.add_argument("--host")
    p.add_argument("--data-file")
    p.add_argument("--flip-sig", action="store_true")
    p.add_argument("--b64data")
    p.add_argument("--len")
    p.add_argument("--b64sig")
    p.add_argument("--siglen")
    p.add_argument("--line-host")
    craft(p.parse_args())


if __name__ == "__main__":
    main()
