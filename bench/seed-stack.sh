#!/bin/sh
# bench/seed-stack.sh - the demo's group (the seed's stack: VIP, ext4 on the
# shared disk, apache2, an nfs-ganesha export) moved by hbd, two builds side
# by side on the same machine in the same run: ROUNDS rounds, each running
# the demo (scripts/demo.sh --no-install) once with the "before" tree's
# hbd, hbctl, hbd-snmp and agents and once with this tree's.  Not part of
# make check.  Needs root and a built "before" tree, e.g.
#
#   git worktree add /tmp/before 00616d3 && (cd /tmp/before && ./scripts/build.sh)
#   bench/seed-stack.sh --before /tmp/before --rounds 3
#
# Prints, per tree, each scenario's client outage (min / median / max over
# the rounds) and each agent action's duration (median, from the demo's
# per-move breakdown), then the NFS client's view of a planned move
# (--nfs: from the move until nfs-cp can write and nfs-cat can read the
# export again, grace period included).  Raw demo outputs go to
# /var/tmp/hbd-seed-stack (or --out DIR).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rounds=3 before= out=/var/tmp/hbd-seed-stack nfs=0
while [ $# -gt 0 ]; do
	case $1 in
	--before) before=$(cd "$2" && pwd) || exit 2; shift ;;
	--rounds) rounds=$2; shift ;;
	--out) out=$2; shift ;;
	--nfs) nfs=1 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "seed-stack.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "seed-stack.sh: run as root" >&2; exit 1; }
mkdir -p "$out"

trees="after"
[ -n "$before" ] && trees="before after"
dir_of() { if [ "$1" = before ]; then echo "$before"; else echo "$top"; fi; }

i=1
while [ $i -le "$rounds" ]; do
	for tr in $trees; do
		d=$(dir_of $tr)
		echo "[$(date +%H:%M:%S)] round $i: $tr ($d)" >&2
		builddir=$d HBD_AGENT_DIR=$d/agents HBD_DEMO_NFS_PROBE=$nfs \
		    LAB_TOOLS=$top/tests/tools \
		    "$top/scripts/demo.sh" --no-install > "$out/$tr-$i.log" 2>&1 ||
		    echo "  demo failed: see $out/$tr-$i.log" >&2
	done
	i=$((i + 1))
done

stats() {	# numbers on stdin -> "min / median / max (n)"
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d / %d / %d (%d)\n", v[1], m, v[NR], NR }'
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo
for s in "clean stop of ha1" "ha1 back (auto_failback)" "power-off of ha1" \
    "ha1 rebooted (auto_failback)" "snmpset failover to ha2"; do
	printf '%-30s' "$s"
	for tr in $trees; do
		re=$(printf '%s' "$s" | sed 's/[()]/\\&/g')
		v=$(cat "$out"/$tr-*.log 2>/dev/null |
		    sed -nE "s/^$re +([0-9]+) ms +ha[12]$/\\1/p" | stats)
		printf '  %s: %-24s' "$tr" "$v"
	done
	echo
done
echo
echo "agent actions, ms (min / median / max over every move and round):"
for a in "stop nfsserver" "stop httpd" "stop Filesystem" "stop IPaddr" \
    "start IPaddr" "start Filesystem" "start httpd" "start nfsserver"; do
	printf '  %-18s' "$a"
	for tr in $trees; do
		v=$(cat "$out"/$tr-*.log 2>/dev/null |
		    sed -nE "s/^ +[0-9]+ ms  ha[12]  $a( [0-9.]+)? +([0-9]+) ms$/\\2/p" |
		    awk '$1 > 1' | stats)	# 0-1 ms: a step logged twice by an older demo
		printf '  %s: %-24s' "$tr" "$v"
	done
	echo
done
if [ "$nfs" = 1 ]; then
	echo
	echo "NFS client (move -> nfs-cp writes and nfs-cat reads the export), ms:"
	for s in "clean stop" "auto_failback" "snmpset"; do
		printf '  %-18s' "$s"
		for tr in $trees; do
			v=$(cat "$out"/$tr-*.log 2>/dev/null |
			    sed -nE "s/^\[ *[0-9.]+s\] nfs client: $s: read and write again after ([0-9]+) ms.*/\\1/p" | stats)
			printf '  %s: %-24s' "$tr" "$v"
		done
		echo
	done
fi
