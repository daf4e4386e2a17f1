#!/bin/bash
# bench/run.sh - hbd against Debian's heartbeat 3.0.6 (v1 haresources mode)
# on the same two-node lab, same settings, same group, same client probe.
# Not part of make check.  Needs root.  See bench/README.md.
#
#   bench/run.sh [--quick] [--runs N] [--profiles "1s 200ms 100ms 50ms"]
#                [--stacks "hb hbd"] [--out DIR] [--no-stress] [--no-snmp]
#                [--no-install] [--interleave] [--footprint SECONDS]
#
# Profiles (keepalive/deadtime; warntime = deadtime/2, initdead =
# 2 x deadtime, the same for both stacks):
#   1s     1 s / 3 s          heartbeat and hbd
#   200ms  200 ms / 1 s       heartbeat and hbd (also the stress run)
#   100ms  100 ms / 500 ms    hbd alone (issues 3 and 4)
#   50ms   50 ms / 250 ms     hbd alone
#   seed   200 ms / 1 s, the seed's stack (the demo's group: VIP, ext4 on
#          the shared disk, apache2, nfs-ganesha export) instead of
#          lighttpd; heartbeat and hbd.  Not in the default profiles:
#          bench/run.sh --profiles seed --interleave --scenarios
#          "clean standby poweroff" --no-stress --no-snmp --footprint 0
# --interleave: round r runs every profile and stack once (one lab each,
# torn down after it) before round r + 1, so both stacks see the same
# load on a shared machine.
# Writes docs/benchmarks/REPORT.md (or DIR/REPORT.md), raw CSVs in raw/,
# PNG plots in plots/, and prints the table.  Work files and logs:
# /var/tmp/hbd-bench.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${builddir:-$srcdir}
export srcdir builddir
WORK=${BENCH_WORK:-/var/tmp/hbd-bench}
export BENCH_TOOLS=$WORK/tools
export LAB_TOOLS=$WORK/tools
PROBE_MS=10		# one new TCP connection every 10 ms
PROBE_TIMEOUT_MS=500

now_us() { local t=${EPOCHREALTIME}; echo "${t/[.,]/}"; }
say() { echo "[$(date +%H:%M:%S)] $*"; }
die() { echo "bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- profiles

profile() {	# NAME -> KA WT DT ID KA_MS DT_MS
	case $1 in
	1s)	echo "1 1500ms 3 6 1000 3000" ;;
	200ms)	echo "200ms 500ms 1 2 200 1000" ;;
	100ms)	echo "100ms 250ms 500ms 1 100 500" ;;
	50ms)	echo "50ms 125ms 250ms 500ms 50 250" ;;
	seed)	echo "200ms 500ms 1 2 200 1000" ;;
	*)	return 1 ;;
	esac
}

# ================================================================ one lab
# bench/run.sh _lab STACK PROFILE RUNS FOOT_S  (a process of its own)

served_by() {	# NODE|any: the last 3 probe results are ok from NODE
	tail -n 3 "$PLOG" 2>/dev/null | awk -v n="$1" '
	    { c++; if ($3 != "ok" || (n != "any" && $4 != n)) bad = 1 }
	    END { exit (bad || c < 3) }'
}

probe_start() {
	PLOG=$RAWLOG/probe-$STACK-$PROF.log
	PROBE_PID=$(lab_client_bg probe.err "$BENCH_TOOLS/bench-probe" \
	    -i $PROBE_MS -t $PROBE_TIMEOUT_MS "$LAB_VIP" 80 /hostname.html \
	    "$PLOG") || return 1
}

probe_stop() {
	lab_kill "$PROBE_PID" TERM
	lab_wait 3 "probe to stop" _lab_not_alive "$PROBE_PID"
}

probe_off() { stat -c %s "$PLOG" 2>/dev/null || echo 0; }

# calm: 2 s + deadtime, plus a random part of one keepalive, so that the
# next action does not fall at the same phase of the heartbeat schedule
# every run (the daemons are started by this script, so without it kill -9
# and power-off land at a near-constant offset from the victim's last
# heartbeat, which biases the detection time of each stack differently).
calm() {
	sleep "$CALM"
	sleep "$(awk -v r="$RANDOM" -v k="${KA_MS:-1000}" \
	    'BEGIN { printf "%.3f", (r % k) / 1000 }')"
}

# steady: ha1 serves, both daemons see each other active; then calm.
both_active() { st_peer_active 1 && st_peer_active 2; }
steady() {
	if lab_wait "${1:-60}" "ha1 to serve" served_by ha1 && group_up ha1 &&
	    lab_wait 30 "both nodes active" both_active; then
		calm
		return 0
	fi
	say "  $STACK $PROF: no steady state; restarting both nodes"
	recover
}

recover() {
	local n
	for n in 2 1; do
		st_running "$n" && st_stop "$n"
		lab_poweroff "$n"
	done
	for n in 1 2; do lab_poweron "$n" || return 1; done
	st_start 1; st_start 2
	lab_wait 120 "ha1 to serve after a restart" served_by ha1 &&
	    lab_wait 60 "both nodes active" both_active || return 1
	calm
}

record() {	# SCENARIO RUN NEW T_ACT_US OFFSET
	local m
	m=$(python3 "$here/analyze.py" run "$PLOG" "$5" "$4" "$3") || m="NA NA NA"
	set -- "$1" "$2" $m
	echo "$STACK,$PROF,$1,$2,$3,$4,$5,," >> "$RAW/runs.csv"
	printf '    %-11s run %2s: outage %6s ms  to new node %6s ms  (%s failed probes)\n' \
	    "$1" "$2" "$3" "$4" "$5"
}

# wait for the new node, then record (RUN SCENARIO NEW T OFF TIMEOUT)
finish() {
	if ! lab_wait "${6:-60}" "$3 to serve after $2" served_by "$3"; then
		echo "$STACK,$PROF,$2,$1,NA,NA,NA,," >> "$RAW/runs.csv"
		say "    $2 run $1: $3 never served"
		return 1
	fi
	sleep 0.6		# the attempts still in flight end
	record "$2" "$1" "$3" "$4" "$5"
	group_up "$3"
}

# group_up NODE: for the seed group, the web server answers before the
# group's last resource (the NFS export) has started; the next move must
# not land in the middle of the start (heartbeat gives the whole group up
# when a start is interrupted by a release).  Waits until nfs answers at
# the VIP.  Nothing to wait for with lighttpd (the last resource).
group_up() {
	[ "${BENCH_GROUP:-}" = seed ] || return 0
	lab_wait 60 "the NFS export to answer on $1" _lab_rpc_nfs "$LAB_VIP"
}

restart_ha1() {	# RUN: ha1 boots and its daemon starts; failback measured
	local t o
	sleep 1
	o=$(probe_off); t=$(now_us)
	st_start 1
	finish "$1" failback ha1 "$t" "$o" 90
	steady
}

s_clean() {
	local t o
	o=$(probe_off); t=$(now_us)
	st_stop 1
	finish "$1" clean_stop ha2 "$t" "$o"
	restart_ha1 "$1"
}

s_standby() {
	local t o
	o=$(probe_off); t=$(now_us)
	st_standby 1
	finish "$1" standby ha2 "$t" "$o"
	lab_wait 30 "both nodes active" both_active; calm
	o=$(probe_off); t=$(now_us)
	st_takeover 1
	finish "$1" takeover ha1 "$t" "$o"
	steady
}

s_kill() {
	local t o ev='' d
	if [ "$STACK" = hbd ]; then
		hbd_events_start 2
		ev=$(cat "$LAB_DIR/ha2/events.pid")
	fi
	o=$(probe_off); t=$(now_us)
	st_kill9 1
	finish "$1" kill9 ha2 "$t" "$o"
	if [ -n "$ev" ]; then
		d=$(hbd_events 2 | jq -r 'select(.type=="node_dead" and .node=="ha1") | .time_ms' | head -n 1)
		if [ -n "$d" ]; then
			d=$((d - t / 1000))
			echo "$STACK,$PROF,$1,$d" >> "$RAW/detect.csv"
			echo "    detection run $1: node_dead after $d ms"
		fi
		lab_kill "$ev" TERM
	fi
	lab_poweroff 1 && lab_poweron 1
	restart_ha1 "$1"
}

s_poweroff() {
	local t o
	o=$(probe_off); t=$(now_us)
	lab_poweroff 1
	finish "$1" poweroff ha2 "$t" "$o"
	lab_poweron 1
	restart_ha1 "$1"
}

two_vips() { lab_vip_on 1 && lab_vip_on 2; }
one_vip() { ! two_vips && { lab_vip_on 1 || lab_vip_on 2; }; }
healed() {
	one_vip && served_by ha1 && both_active &&
	    tail -n 150 "$PLOG" | awk '$3 != "ok" || $4 != "ha1" { b = 1 } END { exit b }'
}

s_partition() {
	local t o te m
	lab_sampler_start "part$1" 10 || return 1
	o=$(probe_off); t=$(now_us)
	lab_drop_port 2 694 udp both
	lab_wait $((DT_MS / 1000 + 20)) "both nodes to hold the VIP" two_vips
	sleep "$HOLD"
	lab_undrop 2
	if ! lab_wait 180 "the partition to heal" healed; then
		say "    partition run $1: did not heal in 180 s"
	fi
	te=$(now_us)
	lab_sampler_stop "part$1" 2> /dev/null
	m=$(python3 "$here/analyze.py" partition "$PLOG" "$o" "$t" "$te" \
	    "$LAB_DIR/sample-part$1.log") || m="NA NA NA NA"
	cp "$LAB_DIR/sample-part$1.log" "$RAWLOG/sample-$STACK-$PROF-part$1.log"
	set -- "$1" $m
	echo "$STACK,$PROF,partition,$1,$2,NA,$5,$3,$4" >> "$RAW/runs.csv"
	printf '    partition   run %2s: longest window without a server %s ms, two VIPs %s ms, no VIP %s ms\n' \
	    "$1" "$2" "$3" "$4"
	steady
}

s_cold() {
	local t o n
	for n in 2 1; do st_stop "$n"; done
	for n in 1 2; do lab_poweroff "$n"; done
	for n in 1 2; do lab_poweron "$n"; done
	sleep 1
	o=$(probe_off); t=$(now_us)
	st_start 1 &
	st_start 2 &
	wait
	finish "$1" cold_start any "$t" "$o" 120
	steady
}

footprint() {	# SECONDS
	local n p secs=$1 pids cnt rss pss t0 t1 u0 u1 s0 s1 cg
	probe_stop
	sleep 3
	for n in 1 2; do
		eval "cg=\$LAB_CG$n"
		pids=$(st_daemon_pids "$n")
		eval "P$n=\"\$pids\""
		eval "T0_$n=$(for p in $pids; do awk '{ print $14 + $15 }' /proc/$p/stat; done | awk '{ s += $1 } END { print s + 0 }')"
		eval "U0_$n=$(awk '$1 == "usage_usec" { print $2 }' "$cg/cpu.stat")"
		eval "S0_$n=$(for p in $pids; do cut -d' ' -f1 /proc/$p/schedstat; done | awk '{ s += $1 } END { printf "%.0f", s }')"
	done
	sleep "$secs"
	for n in 1 2; do
		eval "cg=\$LAB_CG$n pids=\$P$n t0=\$T0_$n u0=\$U0_$n s0=\$S0_$n"
		s1=$(for p in $pids; do cut -d' ' -f1 /proc/$p/schedstat; done | awk '{ s += $1 } END { printf "%.0f", s }')
		t1=$(for p in $pids; do awk '{ print $14 + $15 }' /proc/$p/stat; done | awk '{ s += $1 } END { print s + 0 }')
		u1=$(awk '$1 == "usage_usec" { print $2 }' "$cg/cpu.stat")
		cnt=$(echo $pids | wc -w)
		rss=$(for p in $pids; do awk '/^VmRSS/ { print $2 }' /proc/$p/status; done | awk '{ s += $1 } END { print s + 0 }')
		pss=$(for p in $pids; do awk '/^Pss:/ { print $2 }' /proc/$p/smaps_rollup; done | awk '{ s += $1 } END { print s + 0 }')
		echo "$STACK,$PROF,ha$n,$cnt,$rss,$pss,$(awk -v a="$t0" -v b="$t1" -v s="$secs" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (b - a) / hz / s * 100 }'),$(awk -v a="$u0" -v b="$u1" -v s="$secs" 'BEGIN { printf "%.3f", (b - a) / 1e6 / s * 100 }'),$secs,$(awk -v a="$s0" -v b="$s1" -v s="$secs" 'BEGIN { printf "%.3f", (b - a) / 1e9 / s * 100 }')" >> "$RAW/footprint.csv"
		echo "    footprint ha$n: $cnt processes, RSS $rss kB, Pss $pss kB"
		for p in $pids; do
			echo "$STACK $PROF ha$n: $(tr '\0' ' ' < /proc/$p/cmdline)" >> "$RAWLOG/processes.txt"
		done
	done
	tail -n 2 "$RAW/footprint.csv" | sed 's/^/    /'
	probe_start
}

# lab_up LAB-NAME LOG-TAG: the lab for $STACK with the profile's ha.cf
# (KA WT DT ID set), torn down on exit, logs kept under $RAWLOG/lab-TAG
lab_up() {
	RAW=$WORK/raw RAWLOG=$WORK/logs
	. "$srcdir/tests/lib/lab.sh"
	. "$srcdir/tests/lib/hbd.sh"
	. "$here/lib.sh"
	lab_init "$1" || exit 1
	export LAB_KEEP_LOGS=$RAWLOG/lab-$2
	lab_trap
	st_use "$STACK"
	lab_setup || die "lab setup"
	st_conf "$KA" "$WT" "$DT" "$ID" || die "config"
}

lab_main() {	# STACK PROFILE RUNS FOOT_S SCENARIOS
	STACK=$1 PROF=$2 RUNS=$3 FOOT=$4 SCEN=$5
	set -- $(profile "$PROF") || die "unknown profile $PROF"
	KA=$1 WT=$2 DT=$3 ID=$4 KA_MS=$5 DT_MS=$6
	CALM=$(awk -v d="$DT_MS" 'BEGIN { printf "%.2f", 2 + d / 1000 }')
	HOLD=$(awk -v d="$DT_MS" 'BEGIN { printf "%.2f", (d < 2000 ? 2 : d / 1000) }')
	case $STACK in hb) p=bh ;; hbd) p=bd ;; esac
	BENCH_GROUP=lighttpd
	[ "$PROF" = seed ] && BENCH_GROUP=seed
	export BENCH_GROUP
	lab_up "${p}$PROF" "$STACK-$PROF${BENCH_RUN0:+-r$((BENCH_RUN0 + 1))}"
	probe_start || die "probe"
	say "$STACK $PROF: keepalive $KA, deadtime $DT, warntime $WT, initdead $ID"
	st_start 1 && st_start 2 || die "start"
	steady 120 || die "no steady state"
	if [ "$FOOT" -gt 0 ]; then
		say "  footprint (${FOOT} s idle)"
		footprint "$FOOT"
		steady
	fi
	for r in $(seq $((${BENCH_RUN0:-0} + 1)) $((${BENCH_RUN0:-0} + RUNS))); do
		say "  run $r"
		for s in $SCEN; do
			"s_$s" "$r"
		done
	done
	probe_stop
	for n in 1 2; do cp "$(st_log $n)" "$RAWLOG/ha-log-$STACK-$PROF-ha$n" 2>/dev/null; done
	return 0
}

# ================================================================ stress
# bench/run.sh _stress STACK SECONDS: both cores saturated at 200 ms / 1 s

stress_main() {
	STACK=$1 SECS=$2 PROF=200ms
	set -- $(profile $PROF)
	KA=$1 WT=$2 DT=$3 ID=$4 DT_MS=$6
	CALM=3
	case $STACK in hb) p=bhs ;; hbd) p=bds ;; esac
	lab_up "$p" "stress-$STACK"
	PROF=stress probe_start || die "probe"
	st_start 1 && st_start 2 || die "start"
	steady 120 || die "no steady state"
	local b1 b2 a1 a2 o sp
	b1=$(st_counts 1) b2=$(st_counts 2)
	o=$(probe_off)
	say "$STACK: stress-ng --cpu 2 --vm 1 --vm-bytes 1G for $SECS s at 200 ms / 1 s"
	_lab_bg "$RAWLOG/stress-$STACK.out" "$LAB_CGI" stress-ng --cpu 2 \
	    --vm 1 --vm-bytes 1G --timeout "${SECS}s" --metrics-brief
	sp=$_lab_pid
	echo "$sp" > "$LAB_DIR/stress.pid"
	sleep "$SECS"
	lab_wait 30 "stress-ng to end" _lab_not_alive "$sp"
	sleep 2
	a1=$(st_counts 1) a2=$(st_counts 2)
	set -- $b1 $b2 $a1 $a2
	local late=$(( ($5 - $1) + ($7 - $3) )) dead=$(( ($6 - $2) + ($8 - $4) ))
	local m
	m=$(python3 "$here/analyze.py" stress "$PLOG" "$o") || m="NA NA NA"
	set -- $m
	echo "$STACK,$SECS,$late,$dead,$1,$2,$3" >> "$RAW/stress.csv"
	echo "  $STACK under stress: late heartbeats $late, dead declarations $dead, probes failed $1 of $3, answered by ha2 $2"
	for n in 1 2; do cp "$(st_log $n)" "$RAWLOG/ha-log-stress-$STACK-ha$n" 2>/dev/null; done
	probe_stop
}

# ================================================================ main

install_deps() {
	local need='' p pol_tmp=''
	# kmod: resource-agents' Filesystem (the seed profile) refuses to run
	# without modprobe, which minimal images lack
	for p in heartbeat kmod gnuplot-nox stress-ng lighttpd jq socat iputils-arping \
	    nftables iptables curl python3 snmpd snmp net-tools; do
		dpkg -s "$p" > /dev/null 2>&1 || need="$need $p"
	done
	[ -n "$need" ] || return 0
	# Installing must not start heartbeat or lighttpd on the host.
	if [ ! -x /usr/sbin/policy-rc.d ] ||
	    { /usr/sbin/policy-rc.d; [ $? -ne 101 ]; }; then
		[ ! -e /usr/sbin/policy-rc.d ] ||
		    mv /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.bench-saved
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		pol_tmp=1
	fi
	say "installing:$need"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install \
	    -y --no-install-recommends $need > "$WORK/apt.log" 2>&1
	p=$?
	if [ -n "$pol_tmp" ]; then
		rm -f /usr/sbin/policy-rc.d
		[ ! -e /usr/sbin/policy-rc.d.bench-saved ] ||
		    mv /usr/sbin/policy-rc.d.bench-saved /usr/sbin/policy-rc.d
	fi
	[ $p = 0 ] || die "apt-get install failed, see $WORK/apt.log"
}

main() {
	local quick='' runs='' profiles='1s 200ms 100ms 50ms' stacks='hb hbd'
	local out=$srcdir/docs/benchmarks stress=1 snmp=1 install=1
	local interleave='' foot_opt='' args="$*"
	local scen='clean standby kill poweroff partition cold'
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1 ;;
		--runs) runs=$2; shift ;;
		--profiles) profiles=$2; shift ;;
		--stacks) stacks=$2; shift ;;
		--scenarios) scen=$2; shift ;;
		--out) out=$2; shift ;;
		--no-stress) stress= ;;
		--no-snmp) snmp= ;;
		--no-install) install= ;;
		--interleave) interleave=1 ;;
		--footprint) foot_opt=$2; shift ;;
		-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
		esac
		shift
	done
	[ "$(id -u)" = 0 ] || die "needs root"
	local foot=60 stress_s=300 walks=200 moves=60
	if [ -n "$quick" ]; then
		runs=${runs:-2} foot=10 stress_s=30 walks=20 moves=5
	fi
	runs=${runs:-10}
	foot=${foot_opt:-$foot}
	mkdir -p "$WORK/tools"
	[ -z "$install" ] || install_deps
	if [ ! -x "$builddir/hbd/hbd" ] || [ ! -x "$builddir/hbd/hbctl" ]; then
		say "building hbd"
		"$srcdir/scripts/build.sh" > "$WORK/build.log" 2>&1 ||
		    die "build failed, see $WORK/build.log"
	fi
	cc -O2 -Wall -o "$BENCH_TOOLS/bench-probe" "$here/probe.c" &&
	    cc -O2 -Wall -o "$BENCH_TOOLS/bench-reaper" "$here/reaper.c" ||
	    die "cannot build the probe"
	( . "$srcdir/tests/lib/lab.sh"; LAB_SRCDIR=$srcdir; lab_init bchk &&
	    lab_build_tools ) || die "cannot build the lab tools"
	rm -rf "$WORK/raw" "$WORK/logs"
	mkdir -p "$WORK/raw" "$WORK/logs"
	echo "stack,profile,scenario,run,outage_ms,switch_ms,failed_probes,two_vip_ms,no_vip_ms" > "$WORK/raw/runs.csv"
	echo "stack,profile,node,processes,rss_kb,pss_kb,daemon_cpu_pct,node_cpu_pct,seconds,daemon_cpu_sched_pct" > "$WORK/raw/footprint.csv"
	echo "stack,profile,run,detect_ms" > "$WORK/raw/detect.csv"
	echo "stack,seconds,late_heartbeats,dead_declarations,failed_probes,answers_from_ha2,probes" > "$WORK/raw/stress.csv"
	local t0 pr st
	t0=$(date +%s)
	{
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "uname=$(uname -a)"
		echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "nproc=$(nproc)"
		echo "kernel=$(uname -r)"
		echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "hbd_commit=$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null)$(git -C "$srcdir" diff --quiet HEAD -- hbd lib agents 2>/dev/null || echo ' (hbd sources modified)')"
		echo "hbd_version=$("$builddir/hbd/hbd" -V 2>&1 | head -n 1)"
		echo "heartbeat_version=$(dpkg-query -W -f '${Version}' heartbeat)"
		echo "lighttpd_version=$(lighttpd -v 2>&1 | head -n 1)"
		echo "runs=$runs"
		echo "footprint_s=$foot"
		echo "stress_s=$stress_s"
		echo "quick=${quick:-0}"
		echo "command=bench/run.sh $args"
	} > "$WORK/raw/meta.txt"
	local r=0 each=$runs rounds=1
	[ -z "$interleave" ] || { each=1 rounds=$runs; }
	while [ "$r" -lt "$rounds" ]; do
		for pr in $profiles; do
			for st in $stacks; do
				case $st:$pr in hb:100ms|hb:50ms) continue ;; esac
				BENCH_RUN0=${interleave:+$((r * each))} env --default-signal=INT \
				    bash "$0" _lab "$st" "$pr" "$each" "$foot" \
				    "$scen" || say "lab $st $pr failed (logs in $WORK/logs)"
			done
		done
		r=$((r + 1))
	done
	if [ -n "$stress" ]; then
		for st in $stacks; do
			env --default-signal=INT bash "$0" _stress "$st" "$stress_s" ||
			    say "stress run $st failed"
		done
	fi
	if [ -n "$snmp" ]; then
		say "SNMP benchmark (tests/bench/snmp-bench.sh $walks $moves)"
		sh "$srcdir/tests/bench/snmp-bench.sh" "$walks" "$moves" \
		    > "$WORK/raw/snmp.txt" 2>&1 || say "snmp-bench failed"
		cat "$WORK/raw/snmp.txt"
	fi
	echo "elapsed_s=$(( $(date +%s) - t0 ))" >> "$WORK/raw/meta.txt"
	python3 "$here/analyze.py" report "$WORK" "$out"
}

case ${1:-} in
_lab) shift; lab_main "$@" ;;
_stress) shift; stress_main "$@" ;;
*) main "$@" ;;
esac
