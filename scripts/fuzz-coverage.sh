#!/bin/sh
# fuzz-coverage.sh [CORPUS_ROOT] — source line coverage that a set of fuzz
# corpora reaches in the fuzzed modules (hb_msg, auth, conf*, json,
# ctl_proto, ctl_client, hbd-snmp's cache). CORPUS_ROOT holds one
# directory per target: tests/fuzz/corpus (the default) or a run.sh
# FUZZ_OUT directory, where each target's grown corpus is TARGET/corpus.
#
# Builds the targets with -fprofile-instr-generate -fcoverage-mapping in
# FUZZ_COVDIR (default /tmp/hbd-fuzzcov), runs every corpus once
# (-runs=0), and prints llvm-cov's per-file report. FUZZ_SRCDIR as in
# tests/fuzz/run.sh.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_COVDIR:-/tmp/hbd-fuzzcov}
root=${1:-$src/tests/fuzz/corpus}
srcdir=${FUZZ_SRCDIR:-$src}
targets="fuzz_hb_msg fuzz_hacf fuzz_haresources fuzz_authkeys fuzz_hbdconf
fuzz_json fuzz_ctl"

tool() {	# the llvm tool matching clang 14 when both exist
	if command -v "$1-14" >/dev/null 2>&1; then echo "$1-14"; else echo "$1"; fi
}
profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)

make -s -f "$src/tests/fuzz/Makefile" BUILDDIR="$build" SRCDIR="$srcdir" \
    EXTRA_CFLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    -j"$(nproc 2>/dev/null || echo 2)"
rm -rf "$build/prof"
mkdir -p "$build/prof"
objects=
for t in $targets; do
	dir=$root/$t
	[ -d "$dir/corpus" ] && dir=$dir/corpus
	[ -d "$dir" ] || { echo "no corpus for $t in $root" >&2; continue; }
	LLVM_PROFILE_FILE="$build/prof/$t.%p.profraw" TMPDIR="$build/prof" \
	    "$build/$t" -runs=0 "$dir" >"$build/prof/$t.log" 2>&1 || {
		echo "$t failed on its corpus: see $build/prof/$t.log" >&2
		exit 1
	}
	if [ -z "$objects" ]; then
		objects=$build/$t
	else
		objects="$objects -object $build/$t"
	fi
done
"$profdata" merge -sparse "$build"/prof/*.profraw -o "$build/prof/all.profdata"
# shellcheck disable=SC2086
"$cov" report -instr-profile="$build/prof/all.profdata" $objects \
    "$srcdir/hbd/hb_msg.c" "$srcdir/hbd/auth.c" "$srcdir/hbd/conf.c" \
    "$srcdir/hbd/conf_hacf.c" "$srcdir/hbd/conf_haresources.c" \
    "$srcdir/hbd/conf_authkeys.c" "$srcdir/hbd/conf_libconfig.c" \
    "$srcdir/lib/json.c" "$srcdir/lib/ctl_proto.c" \
    "$srcdir/lib/ctl_client.c" "$srcdir/snmp-subagent/cache.c"
echo "line-by-line: $cov show -instr-profile=$build/prof/all.profdata" \
    "$objects FILE.c"
