#!/bin/bash
# bench/migration.sh - issue 20: the client's outage while a live pair moves
# from Debian's heartbeat 3.0.6 to hbd, rolling (docs/migration.md "Beside a
# running heartbeat", the steps of tests/system/71-rolling-migration.test)
# against the maintenance window (docs/migration.md, step 2: stop heartbeat
# on both nodes, start hbd on both).  Not part of make check.  Needs root,
# Debian's heartbeat and apache2 (both in scripts/install-deps.sh).
#
#   bench/migration.sh [--rounds N] [--procedures "rolling window"]
#                      [--moves stop|standby] [--out DIR] [--no-report]
#
# Each round builds a fresh lab (tests/lib/lab.sh, heartbeat's nodes from
# tests/lib/heartbeat.sh), runs one procedure end to end and tears the lab
# down; round r runs every procedure before round r + 1 (interleaved, so
# the machine's load weighs on both alike).  The group is
# "ha1 IPaddr::VIP/24/eth0 httpd::CONF": each daemon's own IPaddr and hbd's
# httpd agent (apache2 listening on VIP:80 only, /hostname.html naming the
# node), ha.cf as in the test (keepalive 1, deadtime 3, initdead 10, bcast,
# sha1, auto_failback on).  bench/probe.c in the client opens a new TCP
# connection to VIP:80 every 10 ms; tests/tools/lab-sampler records every
# 10 ms which node holds the VIP.  Per round: the client's total outage
# (the sum of its outage periods: first failed attempt -> answer of the
# next good one), the longest period, the number of periods, each planned
# move's share, and "two servers" (a sample with the VIP on both nodes; the
# number of times the answering node changed is a cross-check).
#
# --moves: how the planned moves are made (move_to_ha2, move_back below).
#   stop     (default, what works today) heartbeat's clean stop on ha1
#            hands the group to hbd on ha2 (shutdone); hbd's start on ha1
#            brings it home (auto_failback).
#   standby  heartbeat's hb_standby on ha1 before its stop, hbctl takeover
#            on ha1 after hbd starts there: for when the two daemons
#            negotiate resources (issue 20, in progress); unsafe until then
#            (docs/migration.md).  Today (2026-12-05) heartbeat logs "No
#            reply to standby request.  Standby request cancelled." after
#            10 s and keeps the group: the round fails at move_to_ha2.  With
#            auto_failback on, hbd's start on ha1 already brings the group
#            home; the takeover then has nothing left to do.
#
# Writes OUT/raw/migration-runs.csv and OUT/MIGRATION.md (OUT defaults to
# docs/benchmarks), work files and logs under /var/tmp/hbd-migration.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
builddir=${builddir:-$srcdir}
export srcdir builddir
WORK=${BENCH_WORK:-/var/tmp/hbd-migration}
export LAB_TOOLS=$WORK/tools HBLAB_TOOLS=$WORK/tools
PROBE_MS=10
PROBE_TIMEOUT_MS=500
SAMPLE_MS=10
MOVES=${MOVES:-stop}

now_us() { local t=${EPOCHREALTIME}; echo "${t/[.,]/}"; }
say() { echo "[$(date +%H:%M:%S)] $*"; }
die() { echo "migration: $*" >&2; exit 1; }

# ================================================================ one round
# bench/migration.sh _round PROCEDURE ROUND  (a process of its own)

served_by() {	# NODE: the last 3 probe attempts were answered by NODE
	tail -n 3 "$PLOG" 2>/dev/null | awk -v n="$1" '
	    { c++; if ($3 != "ok" || $4 != n) bad = 1 }
	    END { exit (bad || c < 3) }'
}

both_hb_active() { hblab_node_is 1 ha2 active && hblab_node_is 2 ha1 active; }

mark() {	# NAME: a planned move (or step) begins now
	MARKS="$MARKS${MARKS:+,}$1=$(now_us)"
	say "  $1"
}

# the lab's stand-in for "ha$N reboots into hbd": the node restarts as a
# plain lab node with the same ha.cf, haresources and authkeys
reboot_to_hbd() {	# N
	local n=$1
	lab_poweroff "$n" || return 1
	hblab_plain "$n"
	lab_poweron "$n" || return 1
	mkdir -p "$LAB_DIR/ha$n/conf" "$LAB_DIR/ha$n/state"
	cp "$C/ha.cf" "$C/haresources" "$C/authkeys" "$LAB_DIR/ha$n/conf/"
	sed -i "s#^logfile .*#logfile $LAB_DIR/ha$n/ha-log#" \
	    "$LAB_DIR/ha$n/conf/ha.cf"
	chmod 600 "$LAB_DIR/ha$n/conf/authkeys"
}

# hbd_ms N FROM TO: ms between the first lines of hbd's log on node N
# matching FROM, then TO after it (a fresh lab: one round's log)
hbd_ms() {
	awk -v f="$2" -v t="$3" '
	    { split($2, a, "_"); split(a[2], h, ":")
	      ms = (h[1] * 3600 + h[2] * 60 + h[3]) * 1000 }
	    a0 == "" && index($0, f) { a0 = ms; next }
	    a0 != "" && index($0, t) { printf "%d\n", ms - a0; exit }' \
	    "$LAB_DIR/ha$1/ha-log" 2>/dev/null
}

# ---- the planned moves: one function each, switched by --moves

# the group leaves heartbeat on ha1 for hbd on ha2 (step 4)
move_to_ha2() {
	case $MOVES in
	stop)
		hblab_stop 1 ;;
	standby)
		hblab_standby 1 &&
		    lab_wait 30 "ha2 to serve after hb_standby" served_by ha2 &&
		    hblab_stop 1 ;;
	esac
}

# the group comes home to ha1, which runs hbd now (step 5)
move_back() {
	case $MOVES in
	stop)
		: ;;	# auto_failback on: hbd's start on ha1 was the move
	standby)
		hbctl_n 1 --wait 30 takeover > /dev/null ;;
	esac
}

# ---- the procedures

rolling() {
	# 2. heartbeat stops on ha2 (it holds nothing)
	mark stop_hb_ha2
	hblab_stop 2 || return 1
	# 3. ha2 reboots into hbd; it must see ha1 and take nothing, past
	#    its initdead (checked by the sampler: two servers)
	mark hbd_on_ha2
	reboot_to_hbd 2 || return 1
	hbd_start 2 || return 1
	hbd_wait_node 2 ha1 active 15 || return 1
	sleep "$SETTLE"
	# 4. the group moves to ha2
	mark move_to_ha2
	move_to_ha2 || return 1
	lab_wait 30 "ha2 to serve" served_by ha2 || return 1
	# 5. ha1 reboots into hbd; the group comes home
	mark move_back
	reboot_to_hbd 1 || return 1
	hbd_start 1 || return 1
	move_back || return 1
	lab_wait 60 "ha1 to serve again" served_by ha1 || return 1
	hbd_wait_node 1 ha2 active 15 && hbd_wait_node 2 ha1 active 15
}

window() {
	local t0 t1
	mark window
	# heartbeat stops on both, ha2 first (the other order hands the group
	# to ha2 before it stops there too)
	hblab_stop 2 || return 1
	hblab_stop 1 || return 1
	# both reboot into hbd: the lab's restart is subtracted below (a real
	# node has hbd installed before the window; its start is measured)
	t0=$(now_us)
	reboot_to_hbd 1 && reboot_to_hbd 2 || return 1
	t1=$(now_us)
	LAB_RESTART_MS=$(( (t1 - t0) / 1000 ))
	hbd_start 1 & hbd_start 2 & wait
	lab_wait 60 "ha1 to serve again" served_by ha1 || return 1
	hbd_wait_node 1 ha2 active 15 && hbd_wait_node 2 ha1 active 15
}

round_main() {	# PROCEDURE ROUND
	PROC=$1 ROUND=$2 MARKS='' LAB_RESTART_MS=0
	RAW=$WORK/raw RAWLOG=$WORK/logs
	. "$srcdir/tests/lib/lab.sh"
	lab_init "mig${PROC:0:1}" || exit 1
	. "$srcdir/tests/lib/heartbeat.sh"
	export LAB_KEEP_LOGS=$RAWLOG/lab-$PROC-$ROUND
	lab_trap
	hblab_use 1 2 || die "heartbeat nodes"
	lab_setup || die "lab setup"
	. "$srcdir/tests/lib/hbd.sh"
	SETTLE=12		# past hbd's initdead (10 s)

	C=$LAB_DIR/conf
	mkdir -p "$C/resource.d"
	cat > "$C/ha.cf" <<EOF
keepalive 1
warntime 2
deadtime 3
initdead 10
udpport 694
bcast eth0
auto_failback on
node ha1 ha2
logfile /var/log/ha-log
EOF
	# apache2 on VIP:80 only, /hostname.html = the node's name; no
	# shared disk, so the document root is the node's /srv/local
	lab_apache_conf > /dev/null || die "apache conf"
	sed -i 's#/srv/ha/www#/srv/local#' "$LAB_APACHE_CONF"
	echo "ha1 IPaddr::$LAB_VIP/$LAB_PLEN/eth0 httpd::$LAB_APACHE_CONF" \
	    > "$C/haresources"
	printf 'auth 1\n1 sha1 hbd-lab-key-sha1\n' > "$C/authkeys"
	chmod 600 "$C/authkeys"
	cp "$srcdir/agents/httpd" "$srcdir/agents/hbd-agent-lib.sh" \
	    "$C/resource.d/"
	for n in 1 2; do
		hblab_conf "$n" "$C" || die "heartbeat's files on ha$n"
	done

	PLOG=$RAWLOG/probe-$PROC-$ROUND.log
	rm -f "$PLOG"
	PROBE_PID=$(lab_client_bg probe.err "$LAB_TOOLS/bench-probe" \
	    -i $PROBE_MS -t $PROBE_TIMEOUT_MS "$LAB_VIP" 80 /hostname.html \
	    "$PLOG") || die "probe"
	hblab_start 1 & hblab_start 2 & wait
	lab_wait 90 "heartbeat on ha1 to serve" served_by ha1 ||
	    die "heartbeat never served"
	lab_wait 30 "both heartbeats active" both_hb_active ||
	    die "no heartbeat pair"
	sleep 2
	lab_sampler_start mig $SAMPLE_MS || die "sampler"
	local load off t0 t1 rc m gap
	load=$(cut -d' ' -f1 /proc/loadavg)
	off=$(stat -c %s "$PLOG")
	t0=$(now_us)
	say "$PROC round $ROUND (moves: $MOVES, load $load)"
	"$PROC"
	rc=$?
	sleep 1			# the attempts still in flight end
	t1=$(now_us)
	lab_sampler_stop mig 2> /dev/null
	lab_kill "$PROBE_PID" TERM
	lab_wait 3 "probe to stop" _lab_not_alive "$PROBE_PID"
	cp "$LAB_DIR/sample-mig.log" "$RAWLOG/sample-$PROC-$ROUND.log"
	if [ "$rc" != 0 ]; then
		say "  $PROC round $ROUND failed (logs kept)"
		echo "$PROC,$ROUND,$MOVES,$(date -u +%FT%TZ),$load,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA" >> "$RAW/migration-runs.csv"
		exit 1
	fi
	gap=$(sed -n 's/^# summary .*max_gap_ms=\([0-9.]*\).*/\1/p' \
	    "$RAWLOG/sample-$PROC-$ROUND.log")
	m=$(python3 "$here/analyze.py" migration "$PLOG" "$off" "$t0" "$t1" \
	    "$RAWLOG/sample-$PROC-$ROUND.log" "$MARKS") || die "analysis"
	# total longest periods failed probes two_vip samples switches seg...
	set -- $m
	local net=$(( ${1%.*} - LAB_RESTART_MS )) move1=NA move2=NA
	local lnet=$(( ${2%.*} - LAB_RESTART_MS ))
	[ "$net" -ge 0 ] || net=0
	[ "$lnet" -ge 0 ] || lnet=0
	local hbd1=NA
	case $PROC in
	rolling)	# segments: stop_hb_ha2 hbd_on_ha2 move_to_ha2 move_back
		move1=${11} move2=${12}
		# hbd's part of the move to ha2: heartbeat's goodbye heard ->
		# the group started on ha2 (the rest is heartbeat's release)
		hbd1=$(hbd_ms 2 "node ha1: left the cluster" "started on ha2") ;;
	window)
		move1=$9
		hbd1=$(hbd_ms 1 " starting (" "started on ha1") ;;
	esac
	echo "$PROC,$ROUND,$MOVES,$(date -u +%FT%TZ),$load,$1,$2,$3,$4,$5,$6,$7,$([ "$6" -gt 0 ] && echo yes || echo no),$8,$LAB_RESTART_MS,$net,$lnet,$move1,$move2,${gap:-NA},${hbd1:-NA}" >> "$RAW/migration-runs.csv"
	printf '  %s round %s: outage total %s ms (longest %s ms, %s periods), two servers: %s (%s of %s samples, longest gap %s ms), answering node changed %s times' \
	    "$PROC" "$ROUND" "$1" "$2" "$3" "$([ "$6" -gt 0 ] && echo YES || echo no)" "$6" "$7" "${gap:-?}" "$8"
	[ "$PROC" != window ] || printf ', lab restart %s ms, outage without it %s ms (longest %s ms), hbd start to group started %s ms' "$LAB_RESTART_MS" "$net" "$lnet" "$hbd1"
	[ "$PROC" != rolling ] || printf ', move_to_ha2 %s ms (hbd: goodbye to started %s ms), move_back %s ms' "$move1" "$hbd1" "$move2"
	echo
	for n in 1 2; do
		cp "$LAB_DIR/ha$n/var-log/ha-log" "$RAWLOG/ha-log-$PROC-$ROUND-ha$n" 2>/dev/null
		cp "$LAB_DIR/ha$n/ha-log" "$RAWLOG/hbd-log-$PROC-$ROUND-ha$n" 2>/dev/null
	done
	return 0
}

# ================================================================ main

main() {
	local rounds=3 procs="rolling window" out=$srcdir/docs/benchmarks
	local report=1 args="$*" r p
	while [ $# -gt 0 ]; do
		case $1 in
		--rounds) rounds=$2; shift ;;
		--procedures) procs=$2; shift ;;
		--moves) MOVES=$2; shift ;;
		--out) out=$2; shift ;;
		--no-report) report= ;;
		-h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
		esac
		shift
	done
	case $MOVES in stop|standby) ;; *) die "--moves stop|standby" ;; esac
	export MOVES
	[ "$(id -u)" = 0 ] || die "needs root"
	[ -x /usr/libexec/heartbeat/heartbeat ] ||
	    die "Debian's heartbeat is not installed (scripts/install-deps.sh)"
	command -v apache2 > /dev/null || die "apache2 is not installed"
	mkdir -p "$LAB_TOOLS"
	if [ ! -x "$builddir/hbd/hbd" ] || [ ! -x "$builddir/hbd/hbctl" ]; then
		say "building hbd"
		"$srcdir/scripts/build.sh" > "$WORK/build.log" 2>&1 ||
		    die "build failed, see $WORK/build.log"
	fi
	cc -O2 -Wall -Wextra -o "$LAB_TOOLS/bench-probe" "$here/probe.c" &&
	    cc -O2 -Wall -Wextra -o "$LAB_TOOLS/bench-reaper" "$here/reaper.c" ||
	    die "cannot build the probe"
	( . "$srcdir/tests/lib/lab.sh"; LAB_SRCDIR=$srcdir; lab_init mchk &&
	    lab_build_tools ) || die "cannot build the lab tools"
	rm -rf "$WORK/raw" "$WORK/logs"
	mkdir -p "$WORK/raw" "$WORK/logs"
	echo "procedure,round,moves,date,load1,total_outage_ms,longest_outage_ms,outage_periods,failed_probes,probes,two_vip_samples,samples,two_servers,server_changes,lab_restart_ms,outage_wo_lab_restart_ms,longest_wo_lab_restart_ms,move1_ms,move2_ms,sampler_max_gap_ms,hbd_part_ms" \
	    > "$WORK/raw/migration-runs.csv"
	{
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "nproc=$(nproc)"
		echo "kernel=$(uname -r)"
		echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "hbd_commit=$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null)$(git -C "$srcdir" diff --quiet HEAD -- hbd lib agents 2>/dev/null || echo ' (hbd sources modified)')"
		echo "heartbeat_version=$(dpkg-query -W -f '${Version}' heartbeat)"
		echo "apache_version=$(apache2 -v 2>/dev/null | sed -n 's/^Server version: //p')"
		echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "rounds=$rounds"
		echo "moves=$MOVES"
		echo "command=bench/migration.sh $args"
	} > "$WORK/raw/migration-meta.txt"
	r=1
	while [ "$r" -le "$rounds" ]; do
		for p in $procs; do
			env --default-signal=INT bash "$0" _round "$p" "$r" ||
			    say "$p round $r failed (logs in $WORK/logs)"
		done
		r=$((r + 1))
	done
	echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/raw/migration-meta.txt"
	python3 "$here/analyze.py" migration-table "$WORK/raw/migration-runs.csv"
	if [ -n "$report" ]; then
		mkdir -p "$out/raw"
		cp "$WORK/raw/migration-runs.csv" "$WORK/raw/migration-meta.txt" \
		    "$out/raw/"
		python3 "$here/analyze.py" migration-report "$out"
	fi
}

case ${1:-} in
_round) shift; round_main "$@" ;;
*) main "$@" ;;
esac
