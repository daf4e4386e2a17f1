#!/bin/sh
# gen_seeds.sh [BUILDDIR] — (re)write the generated seeds in tests/fuzz/corpus:
# packets, control frames and JSON payloads from gen_seeds.c (built with the
# shipping encoders), and the configuration files of tests/conf/good,
# tests/conf/bad and etc/, each under the target that parses it, named after
# its case and skipped when a seed with the same bytes is already there.
# Seeds named hand-* are written by hand and left alone.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-${FUZZ_BUILDDIR:-/tmp/hbd-fuzzbuild}}
corpus=$here/corpus

make -s -f "$here/Makefile" BUILDDIR="$build" "$build/gen_seeds"
"$build/gen_seeds" "$corpus"

# copy FILE into corpus/TARGET/NAME unless those bytes are there already
seed() {
	mkdir -p "$corpus/$2"
	for have in "$corpus/$2"/*; do
		[ -f "$have" ] && cmp -s "$1" "$have" && return 0
	done
	cp "$1" "$corpus/$2/$3"
}

for d in "$src"/tests/conf/good/*/ "$src"/tests/conf/bad/*/ "$src/etc/"; do
	kind=$(basename "$(dirname "$d")")		# good, bad or main
	name=$(basename "$d")
	[ "$name" = etc ] && kind=sample
	[ -f "$d/ha.cf" ] && seed "$d/ha.cf" fuzz_hacf "$kind-$name"
	[ -f "$d/haresources" ] &&
	    seed "$d/haresources" fuzz_haresources "$kind-$name"
	[ -f "$d/authkeys" ] && seed "$d/authkeys" fuzz_authkeys "$kind-$name"
	[ -f "$d/hbd.conf" ] && seed "$d/hbd.conf" fuzz_hbdconf "$kind-$name"
done
for t in "$corpus"/*/; do
	printf '%-20s %3d seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"
done
du -sh "$corpus"
