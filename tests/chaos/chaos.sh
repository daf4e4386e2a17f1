#!/bin/bash
# tests/chaos/chaos.sh — a randomised fault run on the two-node lab with
# continuous invariant checking (issue 10).
#
#   tests/chaos/chaos.sh [--seed N] [--duration SECONDS] [--report FILE]
#                        [--kinds K1,K2,...] [--prefix P]
#   tests/chaos/chaos.sh --seed N --plan COUNT   (the first COUNT faults of
#                        seed N with every drawn parameter; no lab, no root)
#
# The classic setup (VIP + shared ext4 disk + apache2 + an NFS export by
# nfs-ganesha + a test agent), the lab fence, snmpd + hbd-snmp on both
# nodes and snmptrapd in the client. A seeded generator (its own LCG, so a
# seed means the same thing on every bash) draws one fault after another,
# each with its target role and its parameters; the same seed replays the
# same fault sequence. Between faults the run waits for the cluster to
# settle and checks, continuously or after each fault:
#
#  safety   never both nodes with the VIP or the shared disk mounted
#           (tests/tools/lab-sampler, every 50 ms, the whole run)
#  liveness the longest outage seen by a client polling the VIP every
#           100 ms during a fault stays within the stated bound (below),
#           and the cluster settles (both nodes up, one owner, served)
#  data     a file written over NFS through the VIP before each fault is
#           read back through the VIP after it (and the first one, always)
#  events   a fault that changes state shows up as the right events
#           (hbctl events --json on both nodes) and SNMP traps (snmptrapd)
#  process  no hbd exits unless the run killed it or its node was powered
#           off; RSS and open descriptors of every long-lived hbd stay flat
#
# Outage bound, stated: deadtime + fence_delay + 3 s (fence) + 2 x the
# measured group move time + 5 s; faults that hang an agent add the agent
# timeouts they wait out (3 x stop_timeout + 2 s for a stop, start_timeout
# for a start). Exit 0 when every check passed, 1 on any violation, 77
# when the lab cannot run here. A report (markdown) goes to --report.
#
# Faults (names for --kinds): kill9_fast kill9_slow poweroff sigstop
# hb_cut serial_cut partition loss delay apache_kill hang_start hang_stop
# storm snmp_restart reload_broken statedir_full
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${srcdir:=$(cd "$here/../.." && pwd)}"
: "${builddir:=$srcdir}"
export srcdir builddir

seed=
duration=300
report=
kinds=
plan=
prefix=hbchaos$$
prefix=${prefix:0:11}
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--report) report=$2; shift 2 ;;
	--kinds) kinds=$2; shift 2 ;;
	--prefix) prefix=$2; shift 2 ;;
	--plan) plan=$2; shift 2 ;;
	-h|--help) sed -n '2,36p' "$0"; exit 0 ;;
	*) echo "chaos: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ -z "$seed" ]; then
	seed=$(( $(od -An -N4 -tu4 /dev/urandom) % 2147483647 ))
fi
case $seed$duration$plan in *[!0-9]*) echo "chaos: --seed and --duration are numbers" >&2; exit 2 ;; esac

# -------------------------------------------------------------- the PRNG

# A 31-bit LCG of our own: the same seed gives the same fault sequence on
# any bash, and only the planner draws from it (never anything that
# depends on timing), so the sequence does not depend on what happened.
rng=$(( seed % 2147483647 ))
[ "$rng" -ne 0 ] || rng=1
rnd() {	# N -> R in 0..N-1
	rng=$(( (rng * 1103515245 + 12345) & 0x7fffffff ))
	R=$(( (rng >> 8) % $1 ))
}
pick() {	# WORDS... -> R = one of them
	rnd $#
	shift "$R"
	R=$1
}

ALL_KINDS="kill9_fast kill9_slow poweroff sigstop hb_cut serial_cut partition
loss delay apache_kill hang_start hang_stop storm snmp_restart reload_broken
statedir_full"
# weights: how many cards of each kind in one shuffled deck
declare -A WEIGHT=([kill9_fast]=3 [kill9_slow]=2 [poweroff]=3 [sigstop]=3
[hb_cut]=2 [serial_cut]=2 [partition]=3 [loss]=2 [delay]=2 [apache_kill]=3
[hang_start]=1 [hang_stop]=1 [storm]=3 [snmp_restart]=2 [reload_broken]=2
[statedir_full]=2)
if [ -n "$kinds" ]; then
	for k in ${kinds//,/ }; do
		[ -n "${WEIGHT[$k]:-}" ] || { echo "chaos: unknown kind $k" >&2; exit 2; }
	done
	ALL_KINDS=${kinds//,/ }
fi
DECK=()
deal() {	# Fisher-Yates over the weighted deck
	local k i j t
	DECK=()
	for k in $ALL_KINDS; do
		for ((i = 0; i < WEIGHT[$k]; i++)); do DECK+=("$k"); done
	done
	for ((i = ${#DECK[@]} - 1; i > 0; i--)); do
		rnd $((i + 1)); j=$R
		t=${DECK[i]}; DECK[i]=${DECK[j]}; DECK[j]=$t
	done
}
# plan_next: kind, role and four parameters, always five draws after the
# card, whatever the kind uses, so the stream stays aligned.
plan_next() {
	[ ${#DECK[@]} -gt 0 ] || deal
	kind=${DECK[0]}
	DECK=("${DECK[@]:1}")
	pick owner standby; role=$R
	rnd 1000; P1=$R
	rnd 1000; P2=$R
	rnd 1000; P3=$R
	rnd 1000; P4=$R
	# what the fault itself needs, drawn here in the order the faults
	# used to draw it, so that --plan sees the whole stream
	X_MS= X_STORM= X_V=
	case $kind in
	delay) pick 200 400 700 1000 1300; X_MS=$R ;;
	storm)
		local i n c
		for ((i = 0; i < 4 + P1 % 5; i++)); do
			rnd 2; n=$((R + 1))
			pick standby takeover move1 move2; c=$R
			pick 0 0.1 0.3 0.7 1.5
			X_STORM="$X_STORM $n:$c:$R"
		done ;;
	reload_broken)
		pick badtime unknown nodes groups garbage empty authperm; X_V=$R ;;
	esac
	rnd 3; CALM=$((1 + R))
}

# garbage N KEY: N bytes from an LCG of their own seeded by KEY (not
# /dev/urandom: a replayed seed must append the same bytes)
garbage() {
	local i x=$(( $2 % 2147483647 + 1 )) out=
	for ((i = 0; i < $1; i++)); do
		x=$(( (x * 1103515245 + 12345) & 0x7fffffff ))
		out="$out\\$(printf '%03o' $(( (x >> 16) & 255 )))"
	done
	printf "$out"
}

if [ -n "$plan" ]; then	# the fault sequence of this seed, no lab needed
	for ((fno = 1; fno <= plan; fno++)); do
		plan_next
		printf 'fault #%d: %s %s P=%d,%d,%d,%d%s%s%s calm=%d' "$fno" \
		    "$kind" "$role" "$P1" "$P2" "$P3" "$P4" "${X_MS:+ ms=$X_MS}" \
		    "${X_STORM:+ storm=${X_STORM# }}" "${X_V:+ config=$X_V}" "$CALM"
		[ "$X_V" = garbage ] &&
		    printf ' bytes=%s' "$(garbage 300 $((seed + fno)) | md5sum | cut -c1-12)"
		echo
	done
	exit 0
fi


. "$srcdir/tests/lib/lab.sh"
why=$(lab_require socat jq curl apache2 arping nft iptables ganesha.nfsd \
    rpcbind nfs-cp nfs-cat snmpd snmptrapd snmpget) || { echo "SKIP: $why"; exit 77; }
[ -x "$builddir/snmp-subagent/hbd-snmp" ] || { echo "SKIP: hbd-snmp not built"; exit 77; }
[ -x "$builddir/hbd/hbd" ] || { echo "SKIP: hbd not built in $builddir"; exit 77; }
lab_init "$prefix" || exit 2
if [ ! -x "$LAB_TOOLS/lab-sampler" ] || [ ! -x "$LAB_TOOLS/nfq-delay" ]; then
	LAB_TOOLS=/tmp/$prefix-tools	# outside make: build them privately
	OWN_TOOLS=$LAB_TOOLS
	export LAB_TOOLS
	lab_build_tools || { echo "SKIP: cannot build the lab tools"; exit 77; }
fi

echo "chaos: seed $seed, duration ${duration}s, lab $prefix"
echo "chaos: replay with: $0 --seed $seed --duration $duration${kinds:+ --kinds $kinds}"

# ------------------------------------------------------------------ report

T0=$(( ${EPOCHREALTIME/[.,]/} / 1000 ))
DMESG0=$(dmesg 2>/dev/null | wc -l)
now_ms() { echo $(( ${EPOCHREALTIME/[.,]/} / 1000 )); }
el() { printf '%6.1f' "$(echo "($(now_ms) - $T0) / 1000" | bc -l)"; }
say() { echo "[$(el)] $*"; }

declare -A NFAULT=() NCHECK=()
VIOL=()
FAULTLOG=()
check() {	# NAME: count one invariant check of that kind
	NCHECK[$1]=$(( ${NCHECK[$1]:-0} + 1 ))
}
violation() {
	say "VIOLATION: $*"
	VIOL+=("seed $seed, fault #${fno:-0} (${kind:-setup}): $*")
}
# A violation that matches a bug the chaos run found before, now fixed,
# with its own reproducer in tests/chaos: it fails the run like any other,
# naming the reproducer.
KNOWN=()
known() {	# REPRODUCER MESSAGE
	LAST_KNOWN=$1
	violation "$2 (the bug of tests/chaos/$1.test is back)"
}

write_report() {
	local f=$1 k total=0 c
	{
		echo "# hbd chaos run"
		echo
		echo "- seed: $seed (replay: \`tests/chaos/chaos.sh --seed $seed --duration $duration${kinds:+ --kinds $kinds}\`)"
		echo "- planned duration: ${duration} s; ran $(( ($(now_ms) - T0) / 1000 )) s; started $(date -d @$((T0 / 1000)) '+%Y-%m-%d %H:%M:%S')"
		echo "- hbd: $("$builddir/hbd/hbd" -V 2>/dev/null) ($builddir)"
		echo "- timing: keepalive $HB_KEEPALIVE, warntime $HB_WARNTIME, deadtime ${HB_DEADTIME} s, fence_delay ${FENCE_DELAY} s, start_timeout ${START_TMO} s, stop_timeout ${STOP_TMO} s, monitor_interval 2 s"
		echo "- measured group move (stop + start, client outage): ${MOVE_MS:-?} ms; outage bound: ${BOUND_MS:-?} ms"
		echo
		echo "## Faults injected by kind"
		echo
		echo "| kind | count |"
		echo "|---|---|"
		for k in $(printf '%s\n' "${!NFAULT[@]}" | sort); do
			echo "| $k | ${NFAULT[$k]} |"
			total=$((total + NFAULT[$k]))
		done
		echo "| **total** | **$total** |"
		echo
		echo "## Invariant checks made"
		echo
		echo "| check | count |"
		echo "|---|---|"
		for c in $(printf '%s\n' "${!NCHECK[@]}" | sort); do
			echo "| $c | ${NCHECK[$c]} |"
		done
		echo
		echo "## Violations: ${#VIOL[@]}"
		echo
		for c in "${VIOL[@]}"; do echo "- $c"; done
		echo
		echo "## Known open bugs hit: ${#KNOWN[@]}"
		echo
		for c in "${KNOWN[@]}"; do echo "- $c"; done
		echo
		echo "## Fault log"
		echo
		echo "| # | t (s) | kind | target | parameters | outage ms | settle ms | result |"
		echo "|---|---|---|---|---|---|---|---|"
		for c in "${FAULTLOG[@]}"; do echo "$c"; done
		echo
		echo "## hbd processes (RSS kB / fds: first settled sample -> last)"
		echo
		[ -r "$LAB_DIR/procstats.txt" ] && awk '
		    { k = $1 " " $2; if (!(k in first)) { first[k] = $4 " / " $5; t0[k] = $3; order[++n] = k }
		      last[k] = $4 " / " $5; t1[k] = $3; cnt[k]++ }
		    END { for (i = 1; i <= n; i++) { k = order[i]; if (cnt[k] >= 3)
		      printf "- %s (pid %s): %d samples over %d s: %s -> %s\n", substr(k, 1, index(k, " ") - 1),
		        substr(k, index(k, " ") + 1), cnt[k], (t1[k] - t0[k]) / 1000, first[k], last[k] } }' \
		    "$LAB_DIR/procstats.txt"
	} > "$f"
}

finish() {
	local rc=$1 l
	# a crash whose node was fenced right after still leaves a kernel line
	l=$(dmesg 2>/dev/null | tail -n "+$((DMESG0 + 1))" |
	    grep -E "(hbd|hbd-snmp|hbctl)\[[0-9]+\]:? .*(segfault|general protection|trap)" | head -n 3)
	check kernel_crash_log
	[ -z "$l" ] || violation "crash in the kernel log: $l"
	trap - INT TERM HUP
	[ -z "${OWN_TOOLS:-}" ] || rm -rf "$OWN_TOOLS"
	if [ -e "$LAB_DIR/sampler-chaos.pid" ]; then
		if lab_sampler_stop chaos 2> "$LAB_DIR/sampler-stop.txt"; then :; else
			violation "sampler: $(tr '\n' ' ' < "$LAB_DIR/sampler-stop.txt" | cut -c1-400)"
		fi
		sampler_scan
		cat "$LAB_DIR/sampler-stop.txt" >&2
	fi
	[ ${#VIOL[@]} -eq 0 ] || rc=1
	[ -z "$report" ] || write_report "$report"
	say "faults: $(for k in "${!NFAULT[@]}"; do printf '%s=%s ' "$k" "${NFAULT[$k]}"; done)"
	say "checks: $(for k in "${!NCHECK[@]}"; do printf '%s=%s ' "$k" "${NCHECK[$k]}"; done)"
	[ ${#KNOWN[@]} -eq 0 ] || { say "known open bugs hit: ${#KNOWN[@]}"; printf '  %s\n' "${KNOWN[@]}"; }
	if [ ${#VIOL[@]} -gt 0 ]; then
		say "FAIL: ${#VIOL[@]} violation(s), seed $seed:"
		printf '  %s\n' "${VIOL[@]}"
	else
		say "PASS: seed $seed, no violation"
	fi
	exit "$rc"
}

# ------------------------------------------------------------- the setup

lab_trap
trap 'finish 130' INT
trap 'finish 143' TERM
trap 'finish 129' HUP
lab_setup || exit 1
lab_disk_create ext4 || exit 1
. "$srcdir/tests/lib/hbd.sh"

START_TMO=12
STOP_TMO=6
FENCE_DELAY=1
HB_DEADTIME=2
HB_INITDEAD=8
DEAD_MS=2000
lab_apache_conf > /dev/null
lab_ganesha_conf > /dev/null
lab_snmpd_conf > /dev/null
G=10.88.0.100/24/eth0
HB_RESOURCES="ha1 $G Filesystem::/srv/disk::/srv/ha::ext4 httpd::$LAB_APACHE_CONF nfsserver::ganesha::$LAB_GANESHA_CONF::/run/ganesha.pid::$LAB_DIR/nfs/ganesha.log testrsc::app"
HB_EXTRA="$(hbd_lab_fence_line)
fence_delay $FENCE_DELAY
resource_path $srcdir/tests/system/agents
start_timeout $START_TMO
stop_timeout $STOP_TMO
restart_window 180
cluster chaos"
hbd_conf 1 && hbd_conf 2 || exit 1
for n in 1 2; do cp -a "$LAB_DIR/ha$n/conf" "$LAB_DIR/ha$n/conf.good"; done
export MIBS=
MIB=.1.3.6.1.4.1.8072.9999.9999.1
TRAP=$MIB.0

declare -A HBD_T=()	# when the run last started hbd on node N (ms)
: > "$LAB_DIR/procstats.txt"

node_on() { [ ! -e "$LAB_DIR/ha$1.off" ]; }
other() { echo $((3 - $1)); }

start_snmpd() {
	lab_snmpd_start "$1" > /dev/null 2>&1 ||
	    { violation "snmpd does not start on ha$1"; return 1; }
}
start_subagent() {
	lab_exec_bg "$1" hbd-snmp.log "$builddir/snmp-subagent/hbd-snmp" -d \
	    -S "$HB_SOCK" -x /run/agentx/master > "$LAB_DIR/ha$1/hbd-snmp.pid"
}
start_events() {
	lab_exec_bg "$1" events.json sh -c 'while :; do
	    env HBD_SOCKET="$1" "$2" --json events; sleep 0.2; done' _ \
	    "$HB_SOCK" "$HBCTL" > "$LAB_DIR/ha$1/events.pid"
}
start_hbd() {
	HBD_T[$1]=$(now_ms)
	echo "$(now_ms) start" >> "$LAB_DIR/ha$1/hbd.starts"
	hbd_start "$1" || { violation "hbd does not start on ha$1"; return 1; }
	echo "$1 $(hbd_pid "$1") ${BOOTS[$1]}" >> "$LAB_DIR/hbd.pids"
}
# Everything a node runs, in the order a boot would: snmpd, the subagent
# (it waits for hbd), hbd, the event recorder.
boot_services() {
	start_snmpd "$1"
	start_subagent "$1"
	start_hbd "$1" || return 1
	start_events "$1"
}
declare -A BOOTS=([1]=0 [2]=0)	# every power-on goes through boot_node
boot_node() {
	BOOTS[$1]=$(( BOOTS[$1] + 1 ))
	say "boot ha$1"
	lab_poweron "$1" || { violation "ha$1 does not power on"; return 1; }
	boot_services "$1"
}
pidof_file() { cat "$LAB_DIR/ha$1/$2.pid" 2>/dev/null; }

# ------------------------------------------------------------ observers

# The client's view: one line per try, "T_ms NODE|FAIL".
start_poller() {
	lab_client_bg poll.log sh -c 'while :; do
	    t=$(date +%s%3N)
	    r=$(curl -s --max-time 1 http://10.88.0.100/hostname.html)
	    case $r in ha1|ha2) ;; *) r=FAIL ;; esac
	    echo "$t $r"; sleep 0.1; done' > "$LAB_DIR/poll.pid"
}

# Sampler lines since the last scan: any with both VIPs or both mounts?
SAMPLE_OFF=0
sampler_scan() {
	local f=$LAB_DIR/sample-chaos.log n bad
	[ -r "$f" ] || return 0
	n=$(wc -l < "$f")
	[ "$n" -gt "$SAMPLE_OFF" ] || return 0
	bad=$(sed -n "$((SAMPLE_OFF + 1)),${n}p" "$f" | awk '!/^#/ &&
	    (($2 == "ha1_vip=1" && $3 == "ha2_vip=1") ||
	     ($4 == "ha1_mnt=1" && $5 == "ha2_mnt=1"))' | head -n 5)
	NCHECK[safety_samples]=$(( ${NCHECK[safety_samples]:-0} + n - SAMPLE_OFF ))
	SAMPLE_OFF=$n
	[ -z "$bad" ] || violation "SAFETY: both nodes hold the VIP or the disk: $(echo $bad)"
}

# Longest continuous client outage between T1 and T2 (ms), and which
# nodes served in that window.
outage_in() {	# T1 T2 [SERVER-BEFORE] -> "MAXMS SERVERS"
	awk -v a="$1" -v b="$2" -v prev="${3:-}" '
	    $1 < a { next }
	    $1 > b { if (down) { d = $1 - start; if (d > max) max = d; down = 0 } exit }
	    $2 == "FAIL" { if (!down) { down = 1; start = $1 } next }
	    { if (down) { d = $1 - start; if (d > max) max = d; down = 0 }
	      if ($2 != prev) { seq = seq $2 ","; prev = $2 } }
	    END { if (down) { d = b - start; if (d > max) max = d }
	      printf "%d %s\n", max, (seq == "" ? "-" : seq) }' \
	    "$LAB_DIR/poll.log"
}

nfs() { lab_client timeout 10 "$@" 2>/dev/null || lab_client timeout 10 "$@" 2>/dev/null; }
nfs_reads() {	# NAME EXPECTED
	[ "$(nfs nfs-cat "nfs://10.88.0.100/srv/ha/export/$1")" = "$2" ]
}

# Settled: both nodes up with hbd running, both see each other active,
# both name the same owner with the group started, the VIP on the owner
# only, the page served by it, NFS answering through the VIP.
OWNER=
settled_now() {
	local n s o1 o2 p
	for n in 1 2; do
		node_on "$n" && hbd_running "$n" || return 1
	done
	s=$(hbd_status 1) || return 1
	o1=$(jq -r '"\(.groups[0].owner) \(.groups[0].state) \(.nodes[1].status)"' <<< "$s")
	s=$(hbd_status 2) || return 1
	o2=$(jq -r '"\(.groups[0].owner) \(.groups[0].state) \(.nodes[1].status)"' <<< "$s")
	[ "$o1" = "$o2" ] || return 1
	case $o1 in "ha1 started active") n=1 ;; "ha2 started active") n=2 ;; *) return 1 ;; esac
	lab_vip_on "$n" && ! lab_vip_on "$(other $n)" || return 1
	hbd_served_by "ha$n" || return 1
	p=$(nfs nfs-cat nfs://10.88.0.100/srv/ha/export/hello.txt) || return 1
	[ "$p" = hello ] || return 1
	OWNER=$n
}

# Bring back what a fault (or a fence) left down, then wait for the
# cluster to settle. Prints nothing; sets SETTLE_MS.
repair() {
	local n
	for n in 1 2; do
		if ! node_on "$n"; then
			boot_node "$n"
		elif ! hbd_running "$n"; then
			start_hbd "$n"
		fi
	done
}
settle() {	# TIMEOUT_S
	local t=$(now_ms) end=$(( $(now_ms) + $1 * 1000 ))
	while [ "$(now_ms)" -lt "$end" ]; do
		repair
		# settled twice, a second apart: a move that is about to
		# start (a failback) must not slip between the checks
		if settled_now && sleep 1 && settled_now; then
			SETTLE_MS=$(( $(now_ms) - t - 1000 ))
			return 0
		fi
		sleep 0.2
	done
	SETTLE_MS=$(( $(now_ms) - t ))
	return 1
}

# The signature of the open bug failed-start-peer-dies: a node whose group
# is FAILED (clean) under a placement it took because the peer was dead.
stuck_failed_start() {
	local n
	for n in 1 2; do
		node_on "$n" && hbd_running "$n" || continue
		[ "$(hbd_q "$n" '.groups[0] | "\(.local_state) \(.dirty) \(.target) \(.reason)"' 2>/dev/null)" = \
		    "failed false ha$n node_dead" ] && { STUCK=$n; return 0; }
	done
	return 1
}

# Both nodes hold the group FAILED (cleanly) and one of them says its
# restart budget is spent: a policy stop, not a bug.
budget_exhausted() {
	local n
	for n in 1 2; do
		node_on "$n" && hbd_running "$n" || return 1
		[ "$(hbd_q "$n" '.groups[0] | "\(.local_state) \(.dirty)"' 2>/dev/null)" = "failed false" ] ||
		    return 1
	done
	for n in 1 2; do
		tail -n "+$(( $(cat "$LAB_DIR/ha$n/hbd.log.mark" 2>/dev/null || echo 0) + 1 ))" \
		    "$LAB_DIR/ha$n/hbd.log" 2>/dev/null | grep -q "keeps failing" && return 0
	done
	return 1
}

# After a violation that left the cluster unsettled: an operator's moves
# first (takeover on each node), then a clean restart of both daemons.
recover() {
	local n
	say "recovering: takeover on each node"
	for n in 1 2; do
		repair
		hbctl_n "$n" takeover --wait 20 > /dev/null 2>&1
		settle 20 && { say "recovered by a takeover on ha$n"; return 0; }
	done
	say "recovering: restarting both daemons"
	for n in 1 2; do
		EXPECT_GONE[$(hbd_pid "$n")]=1
		hbd_stop "$n" 30 || hbd_kill "$n"
	done
	settle 60 && { say "recovered by restarting both daemons"; return 0; }
	violation "could not recover the cluster; stopping the run"
	return 1
}

# hbd processes that ended without the run killing them or their node
# being powered off (the boot it started in is over; UTS ns inode numbers
# are recycled, so boots are counted): crashes.
declare -A EXPECT_GONE=() CRASH_SEEN=()
crash_scan() {
	local n pid uts l
	[ -r "$LAB_DIR/hbd.pids" ] || return 0
	while read -r n pid boot; do
		[ -z "${CRASH_SEEN[$pid]:-}" ] || continue
		lab_alive "$pid" && continue
		CRASH_SEEN[$pid]=1
		[ -n "${EXPECT_GONE[$pid]:-}" ] && continue
		if ! node_on "$n" || [ "${BOOTS[$n]}" != "$boot" ]; then
			continue	# went with its node (fence or power-off)
		fi
		l=$(dmesg 2>/dev/null | grep "hbd\[$pid\]" | tail -n 2)
		violation "hbd on ha$n (pid $pid) exited unexpectedly: $l $(tail -n 3 "$LAB_DIR/ha$n/hbd.log" | tr '\n' ' ' | cut -c1-300)"
	done < "$LAB_DIR/hbd.pids"
	check process_liveness
}

procstats() {	# sample RSS and fd count of both hbds (settled, idle)
	local n pid rss fds
	for n in 1 2; do
		pid=$(hbd_pid "$n") || continue
		lab_alive "$pid" || continue
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
		[ -n "$rss" ] && echo "hbd $pid $(now_ms) $rss $fds" >> "$LAB_DIR/procstats.txt"
		pid=$(pidof_file "$n" hbd-snmp) || continue
		lab_alive "$pid" || continue
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
		[ -n "$rss" ] && echo "hbd-snmp $pid $(now_ms) $rss $fds" >> "$LAB_DIR/procstats.txt"
	done
}

# Leak check per process that lived through >= 5 settled samples: the
# last samples against the second one (the first may precede warm-up).
# RSS may grow by 1 MB or 10 %, fds by 2 (an agent's pipe in flight).
leak_check() {
	local out
	# a sanitizer's allocator (quarantine, shadow) grows RSS by design
	case ${ASAN_OPTIONS:-}${LD_PRELOAD:-} in
	?*) say "leak check skipped: sanitizer build"; return 0 ;;
	esac
	out=$(awk '
	    { k = $1 " " $2; n[k]++; if (n[k] == 2) { r0[k] = $4; f0[k] = $5; t0[k] = $3 }
	      if (n[k] >= 2) { r1[k] = $4; f1[k] = $5; t1[k] = $3 } }
	    END { for (k in n) if (n[k] >= 5) {
	      printf "CHECK %s\n", k
	      lim = r0[k] * 0.10; if (lim < 1024) lim = 1024
	      if (r1[k] - r0[k] > lim) printf "LEAK %s rss %d -> %d kB over %d s\n", k, r0[k], r1[k], (t1[k] - t0[k]) / 1000
	      if (f1[k] - f0[k] > 2) printf "LEAK %s fds %d -> %d over %d s\n", k, f0[k], f1[k], (t1[k] - t0[k]) / 1000 } }' \
	    "$LAB_DIR/procstats.txt")
	while read -r w rest; do
		case $w in
		CHECK) check leak_fd_rss ;;
		LEAK) violation "leak: $rest" ;;
		esac
	done <<< "$out"
}

# Events and traps in a window.
ev_has() {	# N SINCE_MS JQ-FILTER
	grep -ah '^{' "$LAB_DIR/ha$1/events.json" 2>/dev/null |
	    jq -c "select(.time_ms >= $2 and ($3))" 2>/dev/null | grep -q .
}
trap_has() {	# FROM-N SINCE-LINE NOTIF-NUMBER
	tail -n "+$(($2 + 1))" "$LAB_TRAPLOG" 2>/dev/null |
	    grep -a "\[UDP: \[10.88.0.1$1\]" | grep -aq "OID: $TRAP.$3|"
}
EXPECT=()	# "ev N FILTER DESC" | "trap N NUM DESC", US-separated
US=$'\x1f'
expect_ev() { EXPECT+=("ev$US$1$US$2$US$3"); }
expect_trap() { EXPECT+=("trap$US$1$US$2$US$3"); }
check_expect() {	# SINCE_MS SINCE_TRAPLINE
	local e k n what desc i ok
	for e in "${EXPECT[@]}"; do
		IFS=$US read -r k n what desc <<< "$e"
		ok=1
		for ((i = 0; i < 50; i++)); do
			if [ "$k" = ev ]; then
				ev_has "$n" "$1" "$what" && { ok=0; break; }
			else
				trap_has "$n" "$2" "$what" && { ok=0; break; }
			fi
			sleep 0.2
		done
		if [ $ok = 0 ]; then
			check "${k}_expected"
		else
			violation "expected $desc ($k on ha$n: $what) not seen"
		fi
	done
	EXPECT=()
}

# ------------------------------------------------------------- the faults

hold() { sleep "$1"; }
ms2s() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

f_kill9() {	# fast|slow
	local pid=$(hbd_pid "$T")
	EXPECT_GONE[$pid]=1
	hbd_kill "$T"
	if [ "$1" = fast ]; then
		PARAM="restart at once"
		start_hbd "$T"
		expect_ev "$(other $T)" ".type==\"node_restarted\" and .node==\"ha$T\"" "peer sees ha$T restart"
		NO_RESTART=1
		# the owner adopts what runs: nothing moves. The preferred
		# node restarted while the other owns the group (after a move
		# or a failure) is a node that returns: with auto_failback on
		# the group goes back to it, as heartbeat's did.
		[ "$T" = "$O0" ] || [ "$T" != 1 ] && STRICT_OWNER=1
	else
		PARAM="restart after deadtime + 3 s"
		hold $((HB_DEADTIME + 3))
		survivor_serves "$T"
		expect_ev "$(other $T)" ".type==\"node_dead\" and .node==\"ha$T\"" "node_dead"
		expect_ev "$(other $T)" ".type==\"node_fenced\" and .node==\"ha$T\"" "node_fenced"
		expect_trap "$(other $T)" 1 "hbdNodeDead"
		expect_trap "$(other $T)" 12 "hbdNodeFenced"
	fi
}

# The owner is dead (or fenced) and stays so: the survivor must serve within
# the bound, before the run boots the dead node again (a real node may stay
# down for hours).
survivor_serves() {	# DEAD-NODE
	local sv=$(other "$1")
	[ "$1" = "$O0" ] || return 0
	check takeover_while_down
	lab_wait "$(( (BOUND_MS + EXTRA_BOUND) / 1000 ))" "ha$sv to serve while ha$1 is down" \
	    hbd_served_by "ha$sv" > /dev/null 2>&1 && return 0
	if stuck_failed_start; then
		known failed-start-peer-dies "ha$1 is down and ha$STUCK keeps the group stopped: its start failed there earlier"
	else
		violation "ha$1 is down and ha$sv does not serve within $(( BOUND_MS + EXTRA_BOUND )) ms"
	fi
}

f_kill9_fast() { f_kill9 fast; }
f_kill9_slow() { f_kill9 slow; }

f_poweroff() {
	local d=$((2 + P1 % 6))
	PARAM="off for ${d} s"
	lab_poweroff "$T" || violation "lab_poweroff ha$T"
	hold "$d"
	survivor_serves "$T"
	# back before deadtime (+ the fence delay): a fresh boot, no fence
	if [ "$d" -ge $((HB_DEADTIME + 1)) ]; then
		expect_ev "$(other $T)" ".type==\"node_dead\" and .node==\"ha$T\"" "node_dead"
		expect_trap "$(other $T)" 1 "hbdNodeDead"
	fi
	if [ "$d" -ge $((HB_DEADTIME + FENCE_DELAY + 2)) ]; then
		expect_ev "$(other $T)" ".type==\"node_fenced\" and .node==\"ha$T\"" "node_fenced"
	fi
}

f_sigstop() {
	local pid=$(hbd_pid "$T") ms
	if [ $((P1 % 3)) = 0 ]; then
		ms=$((600 + P2 % 800))		# below deadtime: late, not dead
		PARAM="stopped ${ms} ms (< deadtime)"
		lab_kill "$pid" STOP
		hold "$(ms2s $ms)"
		lab_kill "$pid" CONT
		[ "$ms" -lt 900 ] || expect_ev "$(other $T)" ".type==\"late_heartbeat\" and .node==\"ha$T\"" "late_heartbeat"
		NO_RESTART=1
	else
		ms=$((DEAD_MS + 2000 + P2 * 4))
		PARAM="stopped ${ms} ms (> deadtime)"
		lab_kill "$pid" STOP
		hold "$(ms2s $ms)"
		survivor_serves "$T"
		node_on "$T" && lab_kill "$pid" CONT
		expect_ev "$(other $T)" ".type==\"node_dead\" and .node==\"ha$T\"" "node_dead"
		expect_ev "$(other $T)" ".type==\"node_fenced\" and .node==\"ha$T\"" "node_fenced"
		expect_trap "$(other $T)" 12 "hbdNodeFenced"
	fi
}

f_hb_cut() {
	local d=$((3 + P1 % 5))
	PARAM="crossover cut in ha$T for ${d} s"
	lab_link_cut hb "$T"
	hold "$d"
	lab_link_restore hb "$T"
	expect_ev 1 '.type=="link_dead" and .node=="ha2" and (.link|test("hb0"))' "link_dead hb0 on ha1"
	expect_ev 2 '.type=="link_dead" and .node=="ha1" and (.link|test("hb0"))' "link_dead hb0 on ha2"
	expect_ev 1 '.type=="link_up" and .node=="ha2" and (.link|test("hb0"))' "link_up hb0 on ha1"
	expect_trap 1 7 "hbdLinkDown from ha1"
	expect_trap 2 8 "hbdLinkUp from ha2"
	NO_RESTART=1
}

f_serial_cut() {
	local d=$((3 + P1 % 5))
	PARAM="serial cut for ${d} s"
	lab_serial_cut
	hold "$d"
	lab_serial_restore
	expect_ev 1 '.type=="link_dead" and .node=="ha2" and (.link|test("tty"))' "link_dead serial on ha1"
	expect_ev 2 '.type=="link_up" and .node=="ha1" and (.link|test("tty"))' "link_up serial on ha2"
	expect_trap 2 7 "hbdLinkDown from ha2"
	NO_RESTART=1
}

f_partition() {
	local d=$((4 + P1 % 6)) o=$OWNER s=$(other $OWNER)
	PARAM="full partition for ${d} s"
	lab_drop_port 1 694 udp both
	lab_drop_port 2 694 udp both
	lab_link_cut hb 1
	lab_serial_cut
	hold "$d"
	lab_undrop 1
	lab_undrop 2
	lab_link_restore hb 1
	lab_serial_restore
	# the owner fences at once, the other waits fence_delay: the owner wins
	expect_ev "$o" ".type==\"node_dead\" and .node==\"ha$s\"" "owner sees the standby dead"
	expect_ev "$o" ".type==\"node_fenced\" and .node==\"ha$s\"" "owner fences the standby"
	expect_trap "$o" 12 "hbdNodeFenced from the owner"
	KEEP_OWNER=$o
}

f_loss() {
	local d=$((4 + P1 % 8)) pct
	if [ $((P2 % 3)) = 0 ]; then
		pct=$((10 + P3 % 21))
		PARAM="${pct} % of all packets to ha$T dropped for ${d} s"
		lab_loss "$T" "$pct"
		hold "$d"
		lab_unloss "$T"
	else
		pct=$((20 + P3 % 61))
		PARAM="${pct} % of UDP 694 to ha$T dropped for ${d} s"
		lab_delay "$T" udp:694 0 "$pct"
		hold "$d"
		lab_undelay "$T"
	fi
}

f_delay() {
	local d=$((4 + P1 % 6)) ms=$X_MS
	PARAM="UDP 694 to ha$T delayed ${ms} ms, serial cut, for ${d} s"
	lab_serial_cut
	lab_delay "$T" udp:694 "$ms" 0
	hold "$d"
	lab_undelay "$T"
	lab_serial_restore
	if [ "$ms" -ge 700 ]; then
		expect_ev "$T" ".type==\"late_heartbeat\" and .node==\"ha$(other $T)\"" "late_heartbeat on ha$T"
		expect_trap "$T" 3 "hbdLateHeartbeat from ha$T"
	fi
	NO_RESTART=1
}

f_apache_kill() {
	local pid
	T=$OWNER		# apache runs on the owner only
	pid=$(lab_exec "$T" cat /run/apache2-ha/httpd.pid 2>/dev/null)
	PARAM="kill -9 apache2 parent ($pid) on ha$T"
	if [ -z "$pid" ]; then
		violation "no apache2 pid on the owner ha$T"
		return
	fi
	lab_kill "$pid" KILL
	expect_ev "$T" '.type=="resource_failed" and .action=="monitor" and (.resource|test("httpd"))' "resource_failed httpd"
	expect_trap "$T" 6 "hbdResourceFailed from ha$T"
	hold 4
}

f_hang_start() {
	local s=$(other $OWNER)
	PARAM="start of testrsc::app on ha$s hangs ($((START_TMO + 8)) s > start_timeout); move there"
	lab_exec "$s" sh -c "echo $((START_TMO + 8)) > /srv/local/hang-start-app"
	hbctl_n "$s" move "$G" "ha$s" > /dev/null 2>&1
	hold $((START_TMO + 3))
	lab_exec "$s" rm -f /srv/local/hang-start-app
	expect_ev "$s" '.type=="resource_failed" and .action=="start" and .exit_code==-1' "start timed out on ha$s"
	expect_trap "$s" 6 "hbdResourceFailed from ha$s"
	EXTRA_BOUND=$((START_TMO * 1000))
}

f_hang_stop() {
	local o=$OWNER s=$(other $OWNER)
	PARAM="stop of testrsc::app on ha$o hangs; move to ha$s"
	lab_exec "$o" sh -c "echo 100 > /srv/local/hang-stop-app"
	hbctl_n "$s" takeover > /dev/null 2>&1
	hold $((3 * STOP_TMO + 6))
	expect_ev "$o" '.type=="resource_failed" and .action=="stop"' "stop timed out on ha$o"
	expect_ev "$s" ".type==\"node_fenced\" and .node==\"ha$o\"" "ha$s fences ha$o"
	expect_ev "$s" '.type=="takeover"' "takeover on ha$s"
	expect_trap "$s" 12 "hbdNodeFenced from ha$s"
	EXTRA_BOUND=$((3 * STOP_TMO * 1000 + 2000))
}

f_storm() {
	local k=$((4 + P1 % 5)) step n c gap out
	PARAM="$k commands:"
	for step in $X_STORM; do	# drawn by plan_next
		IFS=: read -r n c gap <<< "$step"
		case $c in
		move1) out=$(hbctl_n "$n" move "$G" ha1 2>&1) ;;
		move2) out=$(hbctl_n "$n" move "$G" ha2 2>&1) ;;
		*) out=$(hbctl_n "$n" "$c" 2>&1) ;;
		esac
		PARAM="$PARAM ha$n:$c(rc $?)"
		sleep "$gap"
	done
}

f_snmp_restart() {
	local pid what
	if [ $((P1 % 2)) = 0 ]; then
		what=snmpd
		pid=$(pidof_file "$T" snmpd)
		PARAM="snmpd on ha$T killed and restarted"
		lab_kill "$pid" KILL
		sleep 1
		start_snmpd "$T"
	else
		what=hbd-snmp
		pid=$(pidof_file "$T" hbd-snmp)
		PARAM="hbd-snmp on ha$T killed and restarted"
		lab_kill "$pid" KILL
		sleep 1
		start_subagent "$T"
	fi
	mib_up() { lab_client timeout 3 snmpget -v2c -c public -On -Oqv -t 1 -r 0 \
	    "10.88.0.1$T" "$MIB.1.2.1.0" 2>/dev/null | grep -q "ha$T"; }
	if lab_wait 20 "HBD-MIB on ha$T after the $what restart" mib_up; then
		check snmp_answers
	else
		violation "HBD-MIB does not answer on ha$T 20 s after the $what restart"
	fi
	NO_RESTART=1
}

f_reload_broken() {
	local d=$LAB_DIR/ha$T/conf v rc out
	v=$X_V
	PARAM="broken config ($v) on ha$T, hbctl reload"
	case $v in
	badtime) sed -i 's/^deadtime .*/deadtime 3x/' "$d/ha.cf" ;;
	unknown) echo "no_such_directive 1" >> "$d/ha.cf" ;;
	nodes) sed -i 's/^node .*/node ha1 ha2 ha3/' "$d/ha.cf" ;;
	groups) echo "ha2 10.88.0.101/24/eth0" >> "$d/haresources" ;;
	garbage) garbage 300 $((seed + fno)) >> "$d/ha.cf" ;;
	empty) : > "$d/ha.cf" ;;
	authperm) chmod 644 "$d/authkeys" ;;
	esac
	out=$(hbctl_n "$T" reload 2>&1); rc=$?
	check reload_refused
	[ "$rc" = 1 ] || violation "hbctl reload of a broken config ($v) on ha$T: rc $rc, $out"
	hbd_running "$T" || violation "hbd on ha$T died on a broken reload ($v)"
	expect_ev "$T" '.type=="config_reloaded" and .result=="refused"' "config_reloaded refused"
	rm -rf "$d"
	cp -a "$LAB_DIR/ha$T/conf.good" "$d"
	out=$(hbctl_n "$T" reload 2>&1); rc=$?
	[ "$rc" = 0 ] || violation "hbctl reload of the good config on ha$T: rc $rc, $out"
	expect_ev "$T" '.type=="config_reloaded" and .result=="ok"' "config_reloaded ok"
	NO_RESTART=1
}

f_statedir_full() {
	local sd=$LAB_DIR/ha$T/state pid
	lab_exec "$T" mount -t tmpfs -o size=16k,mode=700 chaos-full "$sd" ||
	    { violation "cannot mount the tiny tmpfs on ha$T"; return; }
	lab_exec "$T" sh -c "dd if=/dev/zero of=$sd/fill bs=1k count=64 2>/dev/null; true"
	if [ $((P1 % 2)) = 0 ]; then
		PARAM="state dir of ha$T full; group moved"
		hbctl_n "$T" move "$G" "ha$(other $OWNER)" > /dev/null 2>&1
		hold 5
	else
		PARAM="state dir of ha$T full; hbd killed and restarted on it"
		pid=$(hbd_pid "$T")
		EXPECT_GONE[$pid]=1
		hbd_kill "$T"
		start_hbd "$T"
		hold 3
	fi
	hbd_running "$T" || violation "hbd on ha$T died with its state dir full"
	grep -q "cannot save" "$LAB_DIR/ha$T/hbd.log" && check statedir_full_logged
	node_on "$T" && lab_exec "$T" umount "$sd"
}

# ---------------------------------------------------------------- start

lab_snmptrapd_start || exit 1
for n in 1 2; do boot_services "$n" || exit 1; done
lab_sampler_start chaos || exit 1
start_poller
if ! settle 60; then
	violation "the cluster does not come up"
	finish 1
fi
say "up: ha$OWNER serves (settled in $SETTLE_MS ms)"
# measure one group move (stop + start) as the client sees it
t=$(now_ms)
hbctl_n "$OWNER" standby --wait 30 > /dev/null || violation "standby at setup"
settle 60
sleep 1
read -r MOVE_MS _ <<< "$(outage_in "$t" "$(now_ms)")"
hbctl_n "$OWNER" standby --wait 30 > /dev/null
settle 60 || { violation "no settle after setup moves"; finish 1; }
[ "$MOVE_MS" -gt 0 ] || MOVE_MS=1000
BOUND_MS=$(( DEAD_MS + FENCE_DELAY * 1000 + 3000 + 2 * MOVE_MS + 5000 ))
say "group move: ${MOVE_MS} ms outage; outage bound ${BOUND_MS} ms"
echo "first canary $(date +%s%N)" > "$LAB_DIR/canary-0"
nfs nfs-cp "$LAB_DIR/canary-0" nfs://10.88.0.100/srv/ha/export/canary-0 ||
    violation "cannot write the first canary over NFS"
procstats

deal
fno=0
END=$(( T0 + duration * 1000 ))
while [ "$(now_ms)" -lt "$END" ]; do
	fno=$((fno + 1))
	plan_next
	NFAULT[$kind]=$(( ${NFAULT[$kind]:-0} + 1 ))
	# the role resolves against the settled owner
	if [ "$role" = owner ]; then T=$OWNER; else T=$(other "$OWNER"); fi
	O0=$OWNER
	# data: a canary written (and read back) through the service
	echo "canary $fno before $kind $(date +%s%N)" > "$LAB_DIR/canary-$fno"
	if nfs nfs-cp "$LAB_DIR/canary-$fno" "nfs://10.88.0.100/srv/ha/export/canary-$fno" &&
	    nfs_reads "canary-$fno" "$(cat "$LAB_DIR/canary-$fno")"; then
		check data_written
	else
		violation "cannot write canary-$fno over NFS before the fault"
	fi
	starts0=$(for n in 1 2; do lab_exec "$n" cat /srv/local/starts-app 2>/dev/null; done | wc -l)
	apid0=$(lab_exec "$OWNER" cat /run/apache2-ha/httpd.pid 2>/dev/null)
	tl0=$(wc -l < "$LAB_TRAPLOG")
	for n in 1 2; do
		wc -l < "$LAB_DIR/ha$n/hbd.log" > "$LAB_DIR/ha$n/hbd.log.mark" 2>/dev/null
	done
	t0=$(now_ms)
	NO_RESTART=0 KEEP_OWNER= STRICT_OWNER=0 EXTRA_BOUND=0 PARAM=
	known0=${#KNOWN[@]}
	say "fault #$fno: $kind on ha$T ($role)"
	"f_$kind" 2>> "$LAB_DIR/chaos-faults.err"
	say "fault #$fno: $PARAM"
	t1=$(now_ms)
	POLICY_STOP=0 t2=
	if settle 90; then
		result=ok
	else
		result="no settle"
		if stuck_failed_start; then
			known failed-start-peer-dies "the survivor ha$STUCK keeps the group stopped: its start failed there earlier and the peer is gone"
		elif budget_exhausted; then
			# hbd's policy, as Pacemaker's migration-threshold: a group
			# that failed on both nodes stays stopped until an operator
			# acts. The operator's takeover below must bring it back.
			say "expected: the group failed on both nodes (restart budget spent); an operator's takeover follows"
			check policy_stop_recovered
			POLICY_STOP=1
		else
			violation "the cluster did not settle within 90 s after $kind ($PARAM)"
		fi
		t2=$(now_ms)
		recover || break
		result="$result, recovered"
	fi
	[ -n "$t2" ] || t2=$(now_ms)
	for n in 1 2; do	# this fault's part of each hbd log
		tail -n "+$(( $(cat "$LAB_DIR/ha$n/hbd.log.mark" 2>/dev/null || echo 0) + 1 ))" \
		    "$LAB_DIR/ha$n/hbd.log" > "$LAB_DIR/ha$n/hbd.log.fault" 2>/dev/null
	done
	# liveness: the longest client outage in the fault's window
	read -r out servers <<< "$(outage_in "$t0" "$t2" "ha$O0")"
	check outage_bound
	if [ "$out" -gt $((BOUND_MS + EXTRA_BOUND)) ] && [ "$POLICY_STOP" = 0 ]; then
		if [ ${#KNOWN[@]} -gt "$known0" ]; then
			known "$LAST_KNOWN" "outage of $out ms > bound $((BOUND_MS + EXTRA_BOUND)) ms, a consequence of the known bug above"
		else
			violation "outage of $out ms > bound $((BOUND_MS + EXTRA_BOUND)) ms after $kind ($PARAM)"
		fi
		result="outage $out ms"
	fi
	# events: every node the client saw take over serving in the window
	# (servers: the changes of server after the one before the fault)
	# a start that did not finish (a hung agent) is group_starting only
	for n in 1 2; do
		case ,$servers in *,ha$n,*) ;; *) continue ;; esac
		# (group_started too: after a kill and restart the recorder
		# reconnects up to 0.2 s after hbd's socket opens, and a quick
		# failback can emit group_starting before that)
		expect_ev "$n" '.type=="group_starting" or .type=="group_adopted" or .type=="group_started"' "ha$n starting the group (it served)"
		ev_has "$n" "$t0" '.type=="group_started" and .reason!="startup"' || continue
		expect_ev "$n" '.type=="takeover"' "takeover on ha$n (it served and started the group)"
		# a subagent started with its node may miss an immediate move
		[ $(( $(now_ms) - ${HBD_T[$n]:-0} )) -gt $(( t2 - t0 + 8000 )) ] &&
		    expect_trap "$n" 4 "hbdTakeover from ha$n"
	done
	# (ha2 may keep it and then fail back to ha1 when ha1 boots again)
	if [ "$KEEP_OWNER" = 1 ] && [ "$OWNER" != "$KEEP_OWNER" ]; then
		violation "the owner changed in a $kind ($PARAM): ha$KEEP_OWNER -> ha$OWNER"
	fi
	if [ "$STRICT_OWNER" = 1 ] && [ "$OWNER" != "$O0" ]; then
		if [ "$O0" = 2 ] && grep -aq "failing back" "$LAB_DIR/ha2/hbd.log.fault"; then
			known adopt-no-failback "hbd restarted on the non-preferred owner ha2 adopted the group, then failed it back to ha1"
		else
			violation "the group moved from ha$O0 to ha$OWNER after $kind ($PARAM)"
		fi
	fi
	if [ "$NO_RESTART" = 1 ] && [ "$OWNER" = "$O0" ]; then
		check nothing_restarted
		starts1=$(for n in 1 2; do lab_exec "$n" cat /srv/local/starts-app 2>/dev/null; done | wc -l)
		apid1=$(lab_exec "$OWNER" cat /run/apache2-ha/httpd.pid 2>/dev/null)
		if [ "$starts1" != "$starts0" ] || [ "$apid1" != "$apid0" ]; then
			if [ "$STRICT_OWNER" = 1 ] && grep -aq "stopping on ha$T (startup)" "$LAB_DIR/ha$T/hbd.log.fault"; then
				known adopt-stale-placement "hbd restarted on the owner ha$T stopped the group it had adopted (its saved placement was stale or lost): starts $starts0 -> $starts1"
			elif [ "$STRICT_OWNER" = 1 ] && [ "$O0" = 2 ] && grep -aq "failing back" "$LAB_DIR/ha2/hbd.log.fault"; then
				known adopt-no-failback "hbd restarted on the non-preferred owner ha2 failed the group back and forth: starts $starts0 -> $starts1"
			else
				violation "resources restarted needlessly in $kind ($PARAM): starts $starts0 -> $starts1, apache $apid0 -> $apid1"
			fi
		fi
	fi
	check_expect "$t0" "$tl0"
	# data: this fault's canary and the first one
	for c in "$fno" 0; do
		if nfs_reads "canary-$c" "$(cat "$LAB_DIR/canary-$c")"; then
			check data_read_back
		else
			violation "canary-$c written before fault #$fno is not readable after it"
		fi
	done
	crash_scan
	sampler_scan
	procstats
	FAULTLOG+=("| $fno | $(( (t0 - T0) / 1000 )) | $kind | ha$T ($role) | $PARAM | $out | $SETTLE_MS | $result |")
	say "fault #$fno done: outage ${out} ms, settled ${SETTLE_MS} ms, owner ha$OWNER, $result"
	# calm
	sleep "$CALM"
done
leak_check
finish 0
