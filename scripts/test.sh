#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine, as root:
#   ./scripts/test.sh
# installs what is needed, builds, runs `make check` (unit, config, agent,
# SNMP, system and chaos tests) and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 1
./scripts/build.sh || exit 1

# `make check` keeps going after a failure so the summary is complete. It
# runs one test at a time unless HBD_CHECK_JOBS says otherwise: every lab
# has its own namespaces, /tmp directory and cgroup (its prefix), so
# HBD_CHECK_JOBS=2 works and is about twice as fast, but on a 2-core machine
# a lab that starts while the fuzzers or the simulator hold both cores can
# miss its own start-up bound; CI wants the answer that does not depend on
# what else ran at the same moment.
jobs=${HBD_CHECK_JOBS:-1}
t0=$(date +%s)
make -j"$jobs" -k check ${HBD_CHECK_FLAGS:-}
rc=$?
t1=$(date +%s)

log=test-suite.log
if [ ! -f "$log" ]; then
	echo "0 passed, 1 failed (no test-suite.log: the build of the tests failed)"
	exit 1
fi
count() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" "$log" | head -n1; }
pass=$(count PASS); fail=$(count FAIL); skip=$(count SKIP)
err=$(count ERROR); xfail=$(count XFAIL); xpass=$(count XPASS)
pass=$((${pass:-0} + ${xfail:-0}))
fail=$((${fail:-0} + ${err:-0} + ${xpass:-0}))
if [ "${skip:-0}" -gt 0 ]; then
	echo "skipped tests and why:"
	for f in $(find tests -name '*.log' -newer configure); do
		t=${f%.log}.trs
		grep -q ':test-result: SKIP' "$t" 2>/dev/null &&
		    printf '  %s: %s\n' "${f%.log}" \
		    "$(grep -m1 -i 'skip' "$f" | cut -c1-150)"
	done
fi
if [ "$fail" -gt 0 ]; then
	echo "failed tests:"
	for t in $(find tests -name '*.trs'); do
		grep -qE ':test-result: (FAIL|ERROR|XPASS)' "$t" ||
		    continue
		echo "  ${t%.trs} (see ${t%.trs}.log), its last lines:"
		# CI shows only this output: say why, not just which
		tail -n 25 "${t%.trs}.log" | cut -c1-200 | sed 's/^/    | /'
	done
fi
echo "make check: $((t1 - t0)) s with $jobs jobs"
echo "$pass passed, $fail failed, ${skip:-0} skipped"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
