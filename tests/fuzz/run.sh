#!/bin/sh
# run.sh SECONDS [BUILDDIR] — build the libFuzzer targets if needed, then run
# each for SECONDS (0: only build) on a copy of its seed corpus (the corpus
# in the tree is never modified). Prints one line per target (executions,
# exec/s, coverage, features, corpus growth, seconds) and exits non-zero if
# any target found a crash, a sanitizer report, a leak, a hang (-timeout=5)
# or ran out of memory (-rss_limit_mb=1024). The artifacts and logs of a
# failure are kept and named.
#
# Environment:
#   FUZZ_BUILDDIR  build directory (default /tmp/hbd-fuzzbuild; or argument 2)
#   FUZZ_SRCDIR    source tree to build against (default: this checkout)
#   FUZZ_TARGETS   targets to run (default: all eight)
#   FUZZ_JOBS      targets run at once (default 1)
#   FUZZ_OUT       where logs, artifacts and grown corpora go (default: a
#                  temporary directory, removed on success unless FUZZ_KEEP=1)
#   FUZZ_ARGS      extra libFuzzer options, e.g. "-max_len=8192"
#   FUZZ_MORE      a directory with more inputs per target (TARGET/ or
#                  TARGET/corpus, e.g. an earlier FUZZ_OUT): read, not written
set -u

usage() {
	echo "usage: $0 SECONDS [BUILDDIR]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
secs=$1
case $secs in ''|*[!0-9]*) usage ;; esac
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-${FUZZ_BUILDDIR:-/tmp/hbd-fuzzbuild}}
targets=${FUZZ_TARGETS:-"fuzz_hb_msg fuzz_hb_classic fuzz_hacf fuzz_haresources \
fuzz_authkeys fuzz_hbdconf fuzz_json fuzz_ctl fuzz_fence"}
jobs=${FUZZ_JOBS:-1}

if [ -n "${FUZZ_SRCDIR:-}" ]; then
	set -- SRCDIR="$FUZZ_SRCDIR"
else
	set --
fi
mkdir -p "$build" || exit 1
if ! make -s -f "$here/Makefile" BUILDDIR="$build" "$@" \
    -j"$(nproc 2>/dev/null || echo 2)" >"$build/make.log" 2>&1; then
	cat "$build/make.log" >&2
	echo "run.sh: building the fuzz targets failed" >&2
	exit 1
fi

if [ "$secs" -eq 0 ]; then
	# libFuzzer reads -max_total_time=0 as "forever"
	echo "run.sh: 0 seconds: targets built in $build, nothing fuzzed"
	exit 0
fi
if [ -n "${FUZZ_OUT:-}" ]; then
	out=$FUZZ_OUT
	mkdir -p "$out" || exit 1
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/hbd-fuzz-run.XXXXXX") || exit 1
fi

# the lines of a log that say what went wrong
why='ERROR: |SUMMARY: |runtime error|property violated|ALARM|out-of-memory'
why="$why|deadly signal|fuzz target exited|flex scanner"

# one target: its own corpus copy, temp dir, log and artifact prefix
run_one() {
	t=$1
	d=$out/$t
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/artifacts" "$d/tmp"
	if [ -d "$here/corpus/$t" ]; then
		cp "$here/corpus/$t"/* "$d/corpus/" 2>/dev/null
	fi
	dict=
	[ -f "$here/$t.dict" ] && dict=-dict=$here/$t.dict
	more=
	if [ -n "${FUZZ_MORE:-}" ]; then
		[ -d "$FUZZ_MORE/$t" ] && more=$FUZZ_MORE/$t
		[ -d "$FUZZ_MORE/$t/corpus" ] && more=$FUZZ_MORE/$t/corpus
	fi
	start=$(date +%s)
	# shellcheck disable=SC2086
	TMPDIR=$d/tmp UBSAN_OPTIONS=print_stacktrace=1 \
	    "$build/$t" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 \
	    -print_final_stats=1 -artifact_prefix="$d/artifacts/" $dict \
	    ${FUZZ_ARGS:-} "$d/corpus" $more >"$d/log" 2>&1
	echo $? >"$d/rc"
	echo $(($(date +%s) - start)) >"$d/seconds"
}

report() {
	t=$1
	d=$out/$t
	rc=$(cat "$d/rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" |
	    tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
	seeds=$(ls "$here/corpus/$t" 2>/dev/null | wc -l)
	now=$(ls "$d/corpus" | wc -l)
	status=ok
	[ "$rc" -ne 0 ] && status=FAIL
	printf '%-17s %-4s %9s execs %7s/s  cov %5s  ft %6s  corpus %3s->%-5s' \
	    "$t" "$status" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" \
	    "$seeds" "$now"
	printf ' %4ss\n' "$(cat "$d/seconds")"
	if [ "$rc" -ne 0 ]; then
		grep -E "$why" "$d/log" | head -8 | sed 's/^/    | /'
		ls "$d/artifacts"/* 2>/dev/null | sed 's/^/    artifact: /'
		echo "    log: $d/log"
		return 1
	fi
	return 0
}

echo "fuzzing ${secs}s per target, build $build, output $out"
set -- $targets
while [ $# -gt 0 ]; do
	batch=
	i=0
	while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
		run_one "$1" &
		batch="$batch $1"
		i=$((i + 1))
		shift
	done
	wait
	for t in $batch; do
		report "$t" || failed="${failed:-} $t"
	done
done

if [ -n "${failed:-}" ]; then
	echo "run.sh: failed:${failed}; logs and artifacts kept in $out"
	exit 1
fi
if [ -z "${FUZZ_OUT:-}" ] && [ "${FUZZ_KEEP:-0}" = 0 ]; then
	rm -rf "$out"
fi
exit 0
