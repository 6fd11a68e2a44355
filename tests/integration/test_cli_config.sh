#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
# The plexus CLI's tinc 1.1 configuration commands. Without a daemon (a
# temporary directory): get/set/add/del/config round trip and validation,
# sign/verify (and a tampered file), fsck finding and fixing planted faults
# (private key mode 0644, missing key, mismatched public key, script not
# executable), export/import, the shell, edit, and the commands that are
# not there yet. With daemons (two namespaces): host files swapped only by
# `export | import`, then the nodes connect and ping; `add Subnet` on a
# running node is seen by the daemon as soon as the command returns.
. "$(dirname "$0")/lib.sh"
require_cli
require_kind plexus

P=$PLEXUS_CLI
D=$PXT_TMP/cfg
checks=0

# ok CMD...: must exit 0, output in $OUT. no CMD...: must exit non-zero.
ok() {
	OUT=$("$@" 2>"$PXT_TMP/err") || fail "expected success: ${*#"$P"} ($(cat "$PXT_TMP/err"))"
	checks=$((checks + 1))
}
no() {
	if OUT=$("$@" 2>"$PXT_TMP/err"); then fail "expected failure: ${*#"$P"} (said: $OUT)"; fi
	checks=$((checks + 1))
}
err_has() { grep -q -- "$1" "$PXT_TMP/err" || fail "stderr lacks '$1': $(cat "$PXT_TMP/err")"; }
same() { [ "$OUT" = "$1" ] || fail "$2: got '$OUT', expected '$1'"; }

# ---------------------------------------------------------------- config ---
ok $P -c "$D" init alpha
ok $P -c "$D" get Name
same alpha "get Name"
ok $P -c "$D" set Port 10655
grep -qx "Port = 10655" "$D/hosts/alpha" || fail "set Port did not go to hosts/alpha"
grep -q "^Port" "$D/plexus.conf" && fail "set Port wrote plexus.conf"
ok $P -c "$D" get Port
same 10655 "get Port"
ok $P -c "$D" set Port = 10656 # tinc's "VAR = VALUE" form
ok $P -c "$D" get Port
same 10656 "get Port after set with ="
ok $P -c "$D" add Subnet 198.19.7.0/24
ok $P -c "$D" add Subnet 198.19.8.1
ok $P -c "$D" add Subnet 198.19.7.0/24 # already there: no duplicate
ok $P -c "$D" get Subnet
same $'198.19.7.0/24\n198.19.8.1' "get Subnet (multiple values)"
ok $P -c "$D" del Subnet 198.19.8.1
ok $P -c "$D" config get Subnet
same 198.19.7.0/24 "config get Subnet after del VALUE"
ok $P -c "$D" add Mode switch # single-valued: add acts as set
ok $P -c "$D" add Mode hub
ok $P -c "$D" get Mode
same hub "add of a single-valued variable replaces it"
ok $P -c "$D" set ConnectTo beta
ok $P -c "$D" get ConnectTo
same beta "get ConnectTo"
touch "$D/hosts/beta"
ok $P -c "$D" set beta.Address 198.18.1.2
ok $P -c "$D" get beta.Address
same 198.18.1.2 "NODE.Variable"
grep -qx "Address = 198.18.1.2" "$D/hosts/beta" || fail "beta.Address not in hosts/beta"
ok $P -c "$D" del beta.Address
no $P -c "$D" get beta.Address
err_has "No matching configuration variables found"
# validation
no $P -c "$D" set NoSuchVariable 1
err_has "is not a known configuration variable"
ok $P --force -c "$D" set NoSuchVariable 1
ok $P -c "$D" get NoSuchVariable
same 1 "--force unknown variable"
ok $P -c "$D" del NoSuchVariable
no $P -c "$D" add Subnet 198.19.7.1/24
err_has "network address and prefix length"
no $P -c "$D" add Subnet not-a-subnet
no $P -c "$D" set Mode bridge
no $P -c "$D" set Port 70000
no $P -c "$D" set ConnectTo "bad-name"
no $P -c "$D" set beta.Mode router
err_has "not a host configuration variable"
no $P -c "$D" set ../etc.Port 1
no $P -c "$D" set PrivateKey 1234
err_has "obsolete"
ok $P -c "$D" set Proxy "socks5 198.18.1.9 1080 alice pass word"
ok $P -c "$D" get Proxy
[ "$OUT" = "socks5 198.18.1.9 1080 alice pass word" ] || fail "get Proxy: $OUT"
no $P -c "$D" set Proxy "socks5 198.18.1.9"
err_has "expected socks4 HOST PORT"
no $P -c "$D" set Proxy "socks4a 198.18.1.9 1080"
ok $P -c "$D" del Proxy
no $P -c "$D" set Sandbox "normal"
err_has "refuses"
# obsolete variables: only with --force, the message names the replacement;
# fsck warns about one that is set, but does not fail for it
no $P -c "$D" set LogFile /var/log/x.log
err_has "LogFile is an obsolete variable and has no effect: choose the log file with plexusd --logfile"
ok $P --force -c "$D" set ECDSAPublicKeyFile /nonexistent/ecdsa_key.pub
err_has "Warning: ECDSAPublicKeyFile is an obsolete variable and has no effect: .*Ed25519PublicKeyFile"
ok $P -b -c "$D" fsck
err_has "WARNING: variable ECDSAPublicKeyFile is obsolete and has no effect (.*): .*Ed25519PublicKeyFile"
ok $P -c "$D" del ECDSAPublicKeyFile
no $P -c "$D" del Subnet 198.19.99.0/24
err_has "No configuration variables deleted"
no $P -c "$D" set Port
err_has "No value"
note "config commands: $checks checks passed"

# ------------------------------------------------------------ sign/verify ---
printf 'line one\nline two\n' >"$PXT_TMP/doc"
ok $P -c "$D" sign "$PXT_TMP/doc"
printf '%s\n' "$OUT" >"$PXT_TMP/doc.signed"
head -n 1 "$PXT_TMP/doc.signed" | grep -Eq '^Signature = alpha [0-9]+ [A-Za-z0-9+/]{86}$' ||
	fail "signature line not in tinc's format: $(head -n 1 "$PXT_TMP/doc.signed")"
ok $P -c "$D" verify alpha "$PXT_TMP/doc.signed"
same "$(cat "$PXT_TMP/doc")" "verify output"
ok $P -c "$D" verify . "$PXT_TMP/doc.signed"
ok $P -c "$D" verify '*' <"$PXT_TMP/doc.signed"
no $P -c "$D" verify beta "$PXT_TMP/doc.signed"
err_has "not made by beta"
sed 's/line two/line 2wo/' "$PXT_TMP/doc.signed" >"$PXT_TMP/doc.tampered"
no $P -c "$D" verify alpha "$PXT_TMP/doc.tampered"
err_has "Invalid signature"
# the signer and time are signed too
awk 'NR == 1 {$4 = $4 + 1} {print}' "$PXT_TMP/doc.signed" >"$PXT_TMP/doc.retimed"
no $P -c "$D" verify alpha "$PXT_TMP/doc.retimed"
note "sign/verify: round trip, tampered body and tampered time refused"

# ------------------------------------------------------------------ fsck ---
ok $P -b -c "$D" fsck
chmod 0644 "$D/ed25519_key.priv"
no $P -b -c "$D" fsck
err_has "unsafe file permissions"
ok $P -b --force -c "$D" fsck
[ "$(stat -c %a "$D/ed25519_key.priv")" = 600 ] || fail "fsck --force left mode $(stat -c %a "$D/ed25519_key.priv")"
# mismatched public key: a key of some other node
"$P" -c "$PXT_TMP/other" init other >/dev/null 2>&1 || fail "init other"
sed -i '/^Ed25519PublicKey/d' "$D/hosts/alpha"
grep '^Ed25519PublicKey' "$PXT_TMP/other/hosts/other" >>"$D/hosts/alpha"
no $P -c "$D" verify alpha "$PXT_TMP/doc.signed"
no $P -b -c "$D" fsck
err_has "public and private Ed25519 keys do not match"
ok $P -b --force -c "$D" fsck
ok $P -b -c "$D" fsck
ok $P -c "$D" verify alpha "$PXT_TMP/doc.signed"
# mismatched RSA public key
awk '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/' "$PXT_TMP/other/hosts/other" >"$PXT_TMP/rsa.pub"
sed -i '/BEGIN RSA PUBLIC KEY/,/END RSA PUBLIC KEY/d' "$D/hosts/alpha"
cat "$PXT_TMP/rsa.pub" >>"$D/hosts/alpha"
no $P -b -c "$D" fsck
err_has "public and private RSA keys do not match"
ok $P -b --force -c "$D" fsck
ok $P -b -c "$D" fsck
# missing private key (the public one is still in the host file)
rm "$D/ed25519_key.priv"
no $P -b -c "$D" fsck
err_has "no private key is known"
ok $P -b --force -c "$D" fsck
[ -s "$D/ed25519_key.priv" ] || fail "fsck --force made no new Ed25519 key"
ok $P -b -c "$D" fsck
# a script that cannot run
printf '#!/bin/sh\n' >"$D/host-up"
chmod 0644 "$D/host-up"
no $P -b -c "$D" fsck
ok $P -b --force -c "$D" fsck
[ -x "$D/host-up" ] || fail "fsck --force did not make host-up executable"
# no Name at all
mkdir -p "$PXT_TMP/empty"
no $P -b -c "$PXT_TMP/empty" fsck
note "fsck: key mode, Ed25519 and RSA mismatch, missing key, script mode found and fixed"

# new key pairs: the old ones are commented out, fsck is happy, signing
# uses the new Ed25519 key
ok $P -c "$D" generate-rsa-keys 1024
ok $P -c "$D" generate-ed25519-keys
[ "$(grep -c '^-----BEGIN RSA PUBLIC KEY' "$D/hosts/alpha")" = 1 ] || fail "not exactly one active RSA public key"
[ "$(grep -c '^Ed25519PublicKey' "$D/hosts/alpha")" = 1 ] || fail "not exactly one active Ed25519PublicKey"
grep -q '^#-----BEGIN RSA PRIVATE KEY\|^#-----BEGIN PRIVATE KEY' "$D/rsa_key.priv" || fail "old RSA private key not kept commented out"
[ "$(stat -c %a "$D/rsa_key.priv")" = 600 ] || fail "rsa_key.priv mode $(stat -c %a "$D/rsa_key.priv")"
ok $P -b -c "$D" fsck
no $P -c "$D" verify alpha "$PXT_TMP/doc.signed"
$P -c "$D" sign "$PXT_TMP/doc" | $P -c "$D" verify alpha >/dev/null || fail "sign | verify with the new key"
note "generate-rsa-keys, generate-ed25519-keys: old keys disabled, fsck clean"

# ---------------------------------------------------------- export/import ---
ok $P -c "$D" export
printf '%s\n' "$OUT" >"$PXT_TMP/alpha.export"
head -n 1 "$PXT_TMP/alpha.export" | grep -qx "Name = alpha" || fail "export does not start with Name = alpha"
mkdir -p "$PXT_TMP/imp/hosts"
ok $P -c "$PXT_TMP/imp" import <"$PXT_TMP/alpha.export"
cmp -s "$D/hosts/alpha" "$PXT_TMP/imp/hosts/alpha" || fail "imported hosts/alpha differs from the original"
no $P -c "$PXT_TMP/imp" import <"$PXT_TMP/alpha.export"
err_has "already exists"
echo "Port = 1" >>"$PXT_TMP/imp/hosts/alpha"
ok $P --force -c "$PXT_TMP/imp" import <"$PXT_TMP/alpha.export"
cmp -s "$D/hosts/alpha" "$PXT_TMP/imp/hosts/alpha" || fail "import --force did not overwrite"
ok $P -c "$D" export-all
n=$(printf '%s\n' "$OUT" | grep -c '^Name = ')
[ "$n" = 2 ] || fail "export-all: $n blocks, expected 2 (alpha, beta)"
printf '%s\n' "$OUT" | grep -qx '#---------------------------------------------------------------#' ||
	fail "export-all: no separator line"
mkdir -p "$PXT_TMP/imp2/hosts"
printf 'junk\n%s\n' "$OUT" | $P -c "$PXT_TMP/imp2" import 2>"$PXT_TMP/err" || fail "import of export-all failed"
grep -q "Junk at the beginning" "$PXT_TMP/err" || fail "no junk warning"
grep -q "Imported 2 host configuration files" "$PXT_TMP/err" || fail "import count: $(cat "$PXT_TMP/err")"
printf 'Name = ../evil\nPort = 1\n' | $P -c "$PXT_TMP/imp2" import 2>/dev/null && fail "import accepted Name = ../evil"
[ -e "$PXT_TMP/evil" ] && fail "import wrote outside hosts/"
note "export/import: round trip, overwrite refused without --force, export-all blocks"

# ------------------------------------------------------ shell, edit, rest ---
OUT=$(printf 'get Name\n# comment\nget Mode\nexit\n' | $P -c "$D")
same $'alpha\nhub' "shell"
printf '#!/bin/sh\necho "Weight = 5" >>"$1"\n' >"$PXT_TMP/editor"
chmod 755 "$PXT_TMP/editor"
EDITOR=$PXT_TMP/editor VISUAL= $P -c "$D" edit hosts/beta || fail "edit failed"
grep -qx "Weight = 5" "$D/hosts/beta" || fail "edit did not run \$EDITOR on hosts/beta"
no $P -c "$D" edit ../../etc/passwd
ok $P version
ok $P --help
for c in get set add del export export-all import exchange exchange-all sign verify fsck edit network \
	generate-ed25519-keys generate-rsa-keys top pcap invite join; do
	printf '%s\n' "$OUT" | grep -q -- "^  \(.*, \)\?$c\b" || fail "--help does not list $c"
done
note "shell, edit, version, help, commands listed: $checks checks so far"

# ---------------------------------------------- daemons: import + reload ---
require_root
require_cmd ping
make_node alpha plexus
make_node beta plexus
# host files only through export | import, in both directions
plexus_cli alpha export | plexus_cli beta import 2>/dev/null || fail "beta import of alpha's export"
plexus_cli beta export | plexus_cli alpha import 2>/dev/null || fail "alpha import of beta's export"
cmp -s "${N_DIR[alpha]}/hosts/alpha" "${N_DIR[beta]}/hosts/alpha" || fail "hosts/alpha differs after import"
PXT_NO_EXCHANGE=1 start_node beta
PXT_NO_EXCHANGE=1 start_node alpha
wait_log alpha "Ready" 10 || fail "alpha did not get ready"
wait_log beta "Ready" 10 || fail "beta did not get ready"
# no ConnectTo yet: nobody connects until `add ConnectTo` reloads alpha
plexus_cli alpha dump connections | grep -q "^beta " && fail "alpha connected to beta without ConnectTo"
t0=$SECONDS
plexus_cli alpha add ConnectTo beta || fail "add ConnectTo on a running node"
up_and_ping alpha beta 30
note "add ConnectTo reloaded the daemon: ping through imported host files after $((SECONDS - t0)) s"
pass "$checks CLI checks"
