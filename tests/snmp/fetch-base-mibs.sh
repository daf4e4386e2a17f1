#!/bin/sh
# fetch-base-mibs.sh DESTDIR
#
# Puts the IETF base MIB modules (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF, ...)
# into DESTDIR so that smilint and snmptranslate can read HBD-MIB.  Debian
# main does not ship them (they are in non-free snmp-mibs-downloader, which
# downloads from the IETF); the npm package net-snmp, version 3, carries them
# in package/lib/mibs/.
#
# Idempotent: does nothing if DESTDIR already has SNMPv2-SMI.mib.  That file
# is moved in last, so its presence means the set is complete even if two
# runs race.  Exit 0 on success, 1 on any failure (with the reason).

set -eu

prog=fetch-base-mibs.sh
pkg=net-snmp@3

die()
{
	echo "$prog: $*" >&2
	exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $prog DESTDIR" >&2
	exit 2
fi
dest=$1

[ -f "$dest/SNMPv2-SMI.mib" ] && exit 0

command -v npm >/dev/null 2>&1 ||
	die "npm not found: install it (Debian: apt-get install npm), or put" \
	    "SNMPv2-SMI.mib, SNMPv2-TC.mib and SNMPv2-CONF.mib into $dest"
command -v tar >/dev/null 2>&1 || die "tar not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hbd-base-mibs.XXXXXX") ||
	die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Fail within about a minute when the registry is unreachable, instead of
# npm's default retries (several minutes).
if (cd "$tmp" &&
    npm_config_fetch_retries=1 npm_config_fetch_timeout=30000 \
    npm_config_update_notifier=false npm_config_fund=false \
    npm_config_audit=false \
    npm pack --ignore-scripts "$pkg" >npm.out 2>npm.err); then
	:
else
	grep -v -e '^npm error  ' -e '^npm error *}*$' -e 'complete log' \
	    "$tmp/npm.err" |
	    head -n 8 | sed 's/^/  /' >&2
	die "'npm pack $pkg' failed (is the npm registry reachable? a proxy" \
	    "may need npm_config_proxy/https_proxy)"
fi

set -- "$tmp"/net-snmp-*.tgz
[ -f "$1" ] || die "'npm pack $pkg' produced no tarball"
tgz=$1

tar -xzf "$tgz" -C "$tmp" package/lib/mibs ||
	die "$(basename "$tgz") has no package/lib/mibs"
src=$tmp/package/lib/mibs
for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
	[ -f "$src/$m.mib" ] || die "$(basename "$tgz") lacks $m.mib"
done

mkdir -p "$dest" || die "cannot create $dest"
stage=$(mktemp -d "$dest/.stage.XXXXXX") || die "cannot write into $dest"
trap 'rm -rf "$tmp" "$stage"' EXIT
cp "$src"/*.mib "$stage"/ || die "cannot copy into $dest"
basename "$tgz" .tgz >"$stage/.source"

# Hidden files are skipped by net-snmp's MIB directory scan.
mv -f "$stage/.source" "$dest/.source"
for f in "$stage"/*.mib; do
	[ "${f##*/}" = SNMPv2-SMI.mib ] && continue
	mv -f "$f" "$dest"/
done
mv -f "$stage/SNMPv2-SMI.mib" "$dest"/
echo "$prog: base MIB modules from $(cat "$dest/.source") in $dest"
