#!/bin/bash
# bench/stall.sh - how long hbd's event loop stalls during a takeover
# when its state directory sits on a slow disk (issue 16). Not part of
# make check. Needs root, the lab (tests/lib/lab.sh) and cgroup v1 blkio
# (this kernel's cgroup v2 has no io controller: LAB.md §0).
#
#   bench/stall.sh [--runs N] [--iops N] [--out DIR] [--disks "throttled plain"]
#                  [--append] LABEL=BUILDDIR [LABEL=BUILDDIR ...]
#
# --append keeps the rows of an earlier run (e.g. to redo one lab that
# failed to come up) and reports them all.
#
# For every build and for a throttled and an unthrottled state disk: a
# two-node lab, four groups preferring ha1; ha2's state directory is an
# ext4 file system on a loop device of its own, whose writes the blkio
# cgroup of the whole run throttles to N IOPS (default 4: one fsync
# takes 0.3-1 s). bench/loopstall (in ha2) asks ha2's hbd for its status
# every 5 ms over the control socket, which the loop serves: the longest
# reply is the longest stall. Each run moves the four groups to ha2
# (standby on ha1) and back (takeover on ha1), each move waited for and
# followed by 2 s; ha2 saves its placements several times per move.
# Prints a table and writes DIR/stall.csv and DIR/STALL.md (default
# docs/benchmarks). Teardown (lab, loop device, cgroup) on every exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
export srcdir
RUNS=5 IOPS=4 OUT=$srcdir/docs/benchmarks DISKS="throttled plain" APPEND=0
BUILDS=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--iops) IOPS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--disks) DISKS=$2; shift 2 ;;
	--append) APPEND=1; shift ;;
	*=*) BUILDS+=("$1"); shift ;;
	*) echo "usage: $0 [--runs N] [--iops N] [--out DIR] LABEL=BUILDDIR..." >&2; exit 2 ;;
	esac
done
[ ${#BUILDS[@]} -gt 0 ] || BUILDS=("this=$srcdir")
[ "$(id -u)" = 0 ] || { echo "stall: needs root"; exit 77; }
BLKIO=/sys/fs/cgroup/blkio
[ -w "$BLKIO/cgroup.procs" ] || { echo "stall: no cgroup v1 blkio at $BLKIO"; exit 77; }
WORK=${STALL_WORK:-/var/tmp/hbd-stall}
mkdir -p "$WORK" "$OUT"
CG=$BLKIO/hbd-stall-$$
say() { echo "[$(date +%H:%M:%S)] $*"; }

cc -O2 -Wall -Wextra -I"$srcdir/lib" -I"$srcdir" -o "$WORK/loopstall" \
    "$here/loopstall.c" "$srcdir/libhbdcommon.a" \
    $(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto) -lm ||
    { echo "stall: cannot build loopstall (build the tree first)"; exit 1; }

# the whole run (and so both nodes, hbd and its children) in one blkio
# cgroup: the rule names ha2's loop device only
mkdir "$CG" || exit 1
echo $$ > "$CG/cgroup.procs" || exit 1
cleanup_cg() {
	echo $$ > "$BLKIO/cgroup.procs" 2>/dev/null
	rmdir "$CG" 2>/dev/null
}
trap cleanup_cg EXIT

CSV=$WORK/stall.csv
[ "$APPEND" = 1 ] && [ -s "$CSV" ] ||
    echo "build,disk,run,move,max_ms,p50_ms,samples,late_lines,peer_deaths" > "$CSV"

# one_lab LABEL BUILDDIR DISK: a lab, RUNS x 2 moves, rows to CSV
one_lab() {
	local label=$1 bdir=$2 disk=$3
	(
	builddir=$bdir
	export builddir
	. "$srcdir/tests/lib/lab.sh"
	lab_init "hbs$$"
	dev=
	cleanup() {
		for n in 1 2; do
			cp "$LAB_DIR/ha$n/hbd.log" "$WORK/$label-$disk-ha$n.log" 2>/dev/null
		done
		[ -n "$dev" ] && echo "$mm 0" > "$CG/blkio.throttle.write_iops_device" 2>/dev/null
		lab_teardown
		[ -n "$dev" ] && losetup -d "$dev" 2>/dev/null
	}
	trap cleanup EXIT
	lab_setup || exit 1
	. "$srcdir/tests/lib/hbd.sh"
	HB_RESOURCES="ha1 Dummy::g1
ha1 Dummy::g2
ha1 Dummy::g3
ha1 Dummy::g4"
	HB_EXTRA="auto_failback off"
	hbd_conf 1 && hbd_conf 2 || exit 1
	truncate -s 64M "$LAB_DIR/state2.img"
	mkfs.ext4 -q -F "$LAB_DIR/state2.img" || exit 1
	dev=$(losetup -f --show "$LAB_DIR/state2.img") || exit 1
	mm=$(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")
	lab_exec 2 mount "$dev" "$LAB_DIR/ha2/state" || exit 1
	lab_exec 2 chmod 700 "$LAB_DIR/ha2/state"
	if [ "$disk" = throttled ]; then
		echo "$mm $IOPS" > "$CG/blkio.throttle.write_iops_device" || exit 1
	fi
	hbd_start 1 && hbd_start 2 || exit 1
	for g in g1 g2 g3 g4; do
		hbd_wait_group 2 "Dummy::$g" ha1 started 20 || exit 1
	done
	for run in $(seq 1 "$RUNS"); do
		for move in to-ha2 back; do
			log=$LAB_DIR/stall-$run-$move.log
			late0=$(grep -c "ms late" "$LAB_DIR/ha2/hbd.log")
			dead0=$(grep -c "node ha2: is dead" "$LAB_DIR/ha1/hbd.log")
			p=$(lab_exec_bg 2 "$LAB_DIR/loopstall.err" "$WORK/loopstall" \
			    "$HB_SOCK" 5 "$log") || exit 1
			sleep 0.5
			if [ $move = to-ha2 ]; then
				to=ha2 cmd=standby
			else
				to=ha1 cmd=takeover
			fi
			# refused while a group is still starting: again
			for try in $(seq 1 30); do
				hbctl_n 1 $cmd --wait 60 > /dev/null 2>&1 && break
				sleep 1
			done
			[ "$try" -lt 30 ] || { echo "stall: $cmd refused"; exit 1; }
			for g in g1 g2 g3 g4; do
				for n in 1 2; do
					hbd_wait_group $n "Dummy::$g" $to started 60 ||
					    { echo "stall: $g not on $to"; exit 1; }
				done
			done
			sleep 2
			lab_kill "$p" TERM
			sleep 0.2
			late=$(( $(grep -c "ms late" "$LAB_DIR/ha2/hbd.log") - late0 ))
			dead=$(( $(grep -c "node ha2: is dead" "$LAB_DIR/ha1/hbd.log") - dead0 ))
			awk -v b="$label" -v d="$disk" -v r="$run" -v m="$move" -v l="$late" -v x="$dead" '
			    { v[NR] = $2 / 1000 } END {
			    n = asort(v); if (n == 0) exit 1
			    printf "%s,%s,%s,%s,%.1f,%.2f,%d,%d,%d\n", b, d, r, m, v[n], v[int((n + 1) / 2)], n, l, x
			    }' "$log" >> "$CSV" || { echo "no samples in $log"; exit 1; }
			tail -1 "$CSV"
		done
	done
	)
}

for b in "${BUILDS[@]}"; do
	label=${b%%=*} bdir=${b#*=}
	[ -x "$bdir/hbd/hbd" ] || { echo "stall: no $bdir/hbd/hbd"; exit 1; }
	for disk in $DISKS; do
		say "$label ($bdir), $disk state disk, $RUNS runs"
		one_lab "$label" "$bdir" "$disk" || { echo "stall: the $label/$disk lab failed"; exit 1; }
	done
done

cp "$CSV" "$OUT/stall.csv"
python3 - "$CSV" "$OUT/STALL.md" "$IOPS" "$RUNS" <<'PY'
import csv, statistics, sys, subprocess, platform, os
rows = list(csv.DictReader(open(sys.argv[1])))
iops, runs = sys.argv[3], sys.argv[4]
out = []
out.append("# Event-loop stall during a takeover, state directory on a slow disk\n")
out.append("Produced by `bench/stall.sh` (issue 16). Machine: %s, %d CPUs, kernel %s; %s runs per line, "
           "each run two moves of four groups (to ha2, back). ha2's state directory is ext4 on a loop "
           "device whose writes are throttled to %s IOPS (cgroup v1 blkio) or not (plain). The stall is "
           "the longest reply to a status request sent every 5 ms over ha2's control socket during a "
           "move (includes the request's own ~0.1-1 ms); `late` counts hbd's own \"ran N ms late\" "
           "log lines in the window (threshold keepalive/2 = 100 ms, rate-limited); `ha2 dead` counts how often ha1 declared ha2 dead in the windows (keepalive 200 ms, deadtime 1 s: the lab's defaults, tests/lib/hbd.sh).\n" %
           (platform.node(), os.cpu_count(), platform.release(), runs, iops))
out.append("| build | state disk | moves | longest stall (ms) | median of per-move max (ms) | shortest per-move max (ms) | median reply (ms) | late lines | ha2 dead |")
out.append("|---|---|---|---|---|---|---|---|---|")
keys = []
for r in rows:
    k = (r["build"], r["disk"])
    if k not in keys:
        keys.append(k)
for k in keys:
    rs = [r for r in rows if (r["build"], r["disk"]) == k]
    mx = [float(r["max_ms"]) for r in rs]
    p50 = [float(r["p50_ms"]) for r in rs]
    late = sum(int(r["late_lines"]) for r in rs)
    dead = sum(int(r.get("peer_deaths") or 0) for r in rs)
    out.append("| %s | %s | %d | %.1f | %.1f | %.1f | %.2f | %d | %d |" % (k[0], k[1], len(rs), max(mx),
               statistics.median(mx), min(mx), statistics.median(p50), late, dead))
out.append("\nPer move: `stall.csv`.")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
