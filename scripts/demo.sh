#!/bin/sh
# hbd demo: a two-node cluster on this machine, serving a web page from a
# virtual IP and a shared disk, with an NFS export and SNMP, through late
# heartbeats (a warning, no failover), a clean stop, a power-off,
# auto_failback and an snmpset failover. After each move it prints where
# the time went: the placement, each resource's stop and start with its
# duration, the release and the client's first answer (from the nodes'
# timestamped logfiles), so figures on another machine can be explained.
#
#   ./scripts/demo.sh             install, build, run the story, tear down
#   ./scripts/demo.sh --keep      ... and leave the cluster running
#   ./scripts/demo.sh --teardown  remove a cluster left by --keep
#   --no-install                  skip apt-get and the build (tests use it)
#
# Runs as root on Debian 12. Everything lives in network namespaces named
# hbdemo0..3 and in /tmp/hbdemo; nothing outside them is touched, and the
# only addresses used are the lab's own (10.88.0.0/24).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
keep=0 install=1
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	--no-install) install=0 ;;
	--teardown)
		srcdir=$top builddir=$top
		. "$top/tests/lib/lab.sh"
		lab_init hbdemo > /dev/null && lab_teardown
		echo "demo cluster removed"
		exit 0 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (namespaces, mounts)" >&2; exit 1; }

if [ $install = 1 ]; then
	./scripts/install-deps.sh || exit 1
	./scripts/build.sh > /tmp/hbdemo-build.log 2>&1 || {
		echo "demo.sh: the build failed; see /tmp/hbdemo-build.log" >&2
		exit 1; }
	make -s tests/tools/lab-sampler tests/tools/nfq-delay tests/tools/http-probe \
	    > /dev/null 2>&1
fi
srcdir=$top
builddir=${builddir:-$top}	# a VPATH build (make distcheck) sets it
export srcdir builddir MIBS=
. "$top/tests/lib/lab.sh"
why=$(lab_require socat curl apache2 snmpd snmptrapd snmpset) || {
	echo "demo.sh: cannot run here: $why" >&2; exit 1; }
lab_init hbdemo > /dev/null
[ $keep = 1 ] || lab_trap
. "$top/tests/lib/hbd.sh"
SNMPSUB=$builddir/snmp-subagent/hbd-snmp
M=.1.3.6.1.4.1.8072.9999.9999.1
T0=$(date +%s%N)
tty=0; [ -t 1 ] && tty=1

# ---- narration ----

ts() { awk -v n="$(date +%s%N)" -v t="$T0" 'BEGIN { printf "%6.1fs", (n - t) / 1e9 }'; }
say() { printf '[%s] %s\n' "$(ts)" "$*"; }
title() { printf '\n== %s ==\n' "$*"; }
die() { printf '\ndemo.sh: FAILED: %s\n' "$*" >&2; exit 1; }

# wait_for SECONDS WHAT CMD...: a progress line while waiting
wait_for() {
	local t=$1 what=$2 start now
	shift 2
	start=$(date +%s%N)
	while :; do
		"$@" > /dev/null 2>&1 && break
		now=$(date +%s%N)
		if [ $(( (now - start) / 1000000000 )) -ge "$t" ]; then
			[ $tty = 1 ] && printf '\r%60s\r' ''
			return 1
		fi
		[ $tty = 1 ] && printf '\r  ... waiting for %s (%.1fs)' "$what" \
		    "$(awk -v a="$now" -v b="$start" 'BEGIN { print (a - b) / 1e9 }')"
		sleep 0.1
	done
	[ $tty = 1 ] && printf '\r%60s\r' ''
	return 0
}

# ---- the client's view: a new connection every 20 ms ----
# tests/tools/http-probe (bench/probe.c, the benchmark's client) starts a
# new HTTP request every 20 ms whether or not the last one has answered, and
# logs "START_US END_US RESULT BODY"; probe_lines turns that into
# "START_NS NODE" (NODE "-" for a failure), in order of the start.  Without
# it, a curl loop (every 50 ms plus curl's own time; one lost SYN stalls it
# up to its 0.5 s limit) writes "NS NODE" itself.

PROBE=$LAB_DIR/probe.log
HTTP_PROBE=${LAB_TOOLS:-$builddir/tests/tools}/http-probe
probe_lines() {
	if [ -x "$HTTP_PROBE" ]; then
		sort -n "$PROBE" | awk '{ n = "-"
		    if ($3 == "ok") { if ($0 ~ /node_ha1/) n = "ha1"
			else if ($0 ~ /node_ha2/) n = "ha2" }
		    print $1 "000", n }'
	else
		cat "$PROBE"
	fi
}
probe_start() {
	: > "$PROBE"
	if [ -x "$HTTP_PROBE" ]; then
		lab_client_bg probe.out "$HTTP_PROBE" -i 20 -t 500 10.88.0.100 80 \
		    /hostname.html "$PROBE" > "$LAB_DIR/probe.pid"
		return
	fi
	lab_client_bg probe.out sh -c 'while :; do
		r=$(curl -s --max-time 0.5 http://10.88.0.100/hostname.html)
		case $r in *"node ha1"*) n=ha1 ;; *"node ha2"*) n=ha2 ;; *) n=- ;; esac
		echo "$(date +%s%N) $n" >> "$1"
		sleep 0.05; done' _ "$PROBE" > "$LAB_DIR/probe.pid"
}

# outage SINCE_NS NEW_NODE: last answer from the old node (or failure)
# before the first answer from NEW_NODE, in ms
outage() {
	awk -v since="$1" -v new="$2" '
	$1 < since { next }
	$2 != new && $2 != "-" { last_old = $1; next }
	$2 == "-" { if (!first_fail) first_fail = $1; next }
	$2 == new { first_new = $1; exit }
	END {
		if (!first_new) { print "none"; exit }
		from = first_fail ? first_fail : (last_old ? last_old : since)
		if (last_old && last_old < from) from = last_old
		printf "%d\n", (first_new - from) / 1e6
	}' <<EOF
$(probe_lines)
EOF
}

served_by() { [ "$(tail -n 1 "$PROBE" | probe_last)" = "$1" ]; }
probe_last() {
	if [ -x "$HTTP_PROBE" ]; then
		awk '{ n = "-"; if ($3 == "ok") { if ($0 ~ /node_ha1/) n = "ha1"
		    else if ($0 ~ /node_ha2/) n = "ha2" }; print n }'
	else
		cut -d' ' -f2
	fi
}

# ---- the NFS client's view (HBD_DEMO_NFS_PROBE=1, bench/seed-stack.sh) ----
# nfs-cp writes a new file through the VIP (NFSv3; it does not overwrite),
# nfs-cat reads it back; one try after another, each line "NS ok|fail".

NFSPROBE=$LAB_DIR/nfsprobe.log
nfs_probe_start() {
	[ "${HBD_DEMO_NFS_PROBE:-0}" = 1 ] || return 0
	: > "$NFSPROBE"
	lab_client_bg nfsprobe.out sh -c 'i=0; while :; do
		i=$((i + 1)); echo "$i" > "$2"
		u=nfs://10.88.0.100/srv/ha/export/probe-$i.txt
		if timeout 1 nfs-cp "$2" "$u" > /dev/null 2>&1 &&
		    [ "$(timeout 1 nfs-cat "$u" 2>/dev/null)" = "$i" ]
		then r=ok; else r=fail; fi
		echo "$(date +%s%N) $r" >> "$1"
		sleep 0.02; done' _ "$NFSPROBE" "$LAB_DIR/nfsprobe.in" \
	    > "$LAB_DIR/nfsprobe.pid"
}

# nfs_view NAME SINCE_NS: from the move to the first successful write and
# read after the first failure (the old server's last answers do not count)
nfs_view() {
	local r
	[ "${HBD_DEMO_NFS_PROBE:-0}" = 1 ] || return 0
	nfs_back() { awk -v s="$1" '$1 >= s && $2 == "fail" { f = 1 }
	    f && $2 == "ok" { found = 1; exit } END { exit !found }' "$NFSPROBE"; }
	wait_for 30 "the NFS export" nfs_back "$2" || { say "nfs client: $1: no answer"; return 0; }
	r=$(awk -v s="$2" '$1 >= s && $2 == "fail" && !f { f = $1 }
	    f && $2 == "ok" { printf "%d %d\n", ($1 - s) / 1e6, ($1 - f) / 1e6; exit }' "$NFSPROBE")
	say "nfs client: $1: read and write again after ${r% *} ms (failing for ${r#* } ms)"
}

# first_answer_ns SINCE_NS NODE: when the probe first got NODE's page
first_answer_ns() {
	probe_lines |
	    awk -v since="$1" -v new="$2" '$1 >= since && $2 == new { print $1; exit }'
}

# breakdown SINCE_NS UNTIL_NS: where a move spent its time, from the
# timestamped logfiles of both nodes (placement, each resource's stop and
# start with its duration, the release, the start) and the client's probe.
# A resource's duration runs from "running R stop|start" to the node's
# next step of the same group. The probe tries every 20 ms, so "first
# answer" is up to one try late.
breakdown() {
	local since=$1 until=$2 off
	# the logfiles use local time; awk turns it into epoch ms with the offset
	off=$(date +%z)
	for n in 1 2; do
		[ -f "$LAB_DIR/ha$n/hbd-ts.log" ] &&
		    sed "s/^/ha$n /" "$LAB_DIR/ha$n/hbd-ts.log"
	done | sort -s -k3,3 | awk -v since="$since" -v until="$until" -v off="$off" '
	function ms(d, t,   a, b, days, y, m, sec) {
		# d = YYYY/MM/DD, t = HH:MM:SS.mmm: days since 1970 (civil)
		split(d, a, "/"); split(t, b, ":")
		y = a[1]; m = a[2] + 0
		if (m <= 2) { y--; m += 12 }
		days = 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + \
		    int((153 * (m - 3) + 2) / 5) + a[3] - 719469
		sec = days * 86400 + b[1] * 3600 + b[2] * 60 + b[3]
		sec -= (substr(off, 1, 1) == "-" ? -1 : 1) * \
		    (substr(off, 2, 2) * 3600 + substr(off, 4, 2) * 60)
		return sec * 1000
	}
	function short(spec,   s) {
		s = spec
		if (s ~ /^[0-9.]+\//) { sub(/\/.*/, "", s); return "IPaddr " s }
		sub(/::.*/, "", s); return s
	}
	function close_open(node, t) {
		if (open[node] != "") {
			printf "  %7d ms  %s  %-24s %5d ms\n", ot[node] - base, node, \
			    open[node], t - ot[node]
			open[node] = ""
		}
	}
	# up to the group started on its new node (a start that the client
	# did not wait for, such as the NFS export, included)
	BEGIN { base = since / 1e6; lim = until / 1e6 + 30000 }
	{
		split($3, dt, "_"); t = ms(dt[1], dt[2])
		if (t < base - 5 || t > lim) next
		node = $1
		msg = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", msg)
		if (msg ~ /: running .* (start|stop)$/) {
			n = split(msg, w, " ")
			# the same step logged twice (hbd 0.9.0 logs it from
			# the core and from the shell): one step
			if (open[node] == w[n] " " short(w[n - 1])) next
			close_open(node, t)
			open[node] = w[n] " " short(w[n - 1]); ot[node] = t
			next
		}
		if (msg ~ /: running .* monitor$/) next
		line = ""
		if (msg ~ /: placement /) {
			sub(/^group [^:]*: /, "", msg); line = msg
		} else if (msg ~ /: (stopping|starting) on /) {
			sub(/^group [^:]*: /, "", msg); sub(/ on [^ ]*/, "", msg)
			line = msg
		} else if (msg ~ /: stopped on /) {
			close_open(node, t); line = "released (group stopped)"
		} else if (msg ~ /: started on /) {
			close_open(node, t)
			printf "  %7d ms  %s  group started\n", t - base, node
			exit
		} else if (msg ~ /is dead|fenc|left the cluster|[Ll]ate heartbeat/) {
			line = msg
		}
		if (line != "")
			printf "  %7d ms  %s  %s\n", t - base, node, line
	}'
}

# ---- traps, as they arrive ----

TRAPS_SEEN=0
trap_name() {
	case $1 in
	1) echo hbdNodeDead ;; 2) echo hbdNodeUp ;; 3) echo hbdLateHeartbeat ;;
	4) echo hbdTakeover ;; 5) echo hbdRelease ;; 6) echo hbdResourceFailed ;;
	7) echo hbdLinkDown ;; 8) echo hbdLinkUp ;; 9) echo hbdAuthFailure ;;
	10) echo hbdDaemonUnreachable ;; 11) echo hbdDaemonReachable ;;
	12) echo hbdNodeFenced ;; 13) echo hbdFenceFailed ;; *) echo "trap $1" ;;
	esac
}
show_traps() {
	local n line from num vals
	n=$(wc -l < "$LAB_TRAPLOG")
	[ "$n" -gt "$TRAPS_SEEN" ] || return 0
	tail -n +$((TRAPS_SEEN + 1)) "$LAB_TRAPLOG" | head -n $((n - TRAPS_SEEN)) |
	while IFS= read -r line; do
		from=$(echo "$line" | sed -n 's/.*\[UDP: \[\(10\.88\.0\.1[12]\)\].*/\1/p')
		num=$(echo "$line" | sed -n "s/.*OID: $M\.0\.\([0-9]*\)|.*/\1/p")
		[ -n "$num" ] || continue
		vals=$(echo "$line" | tr '|' '\n' | grep "^$M\.1\." |
		    sed 's/^[^=]*= [A-Za-z]*: //; s/"//g' | tr '\n' ' ')
		case $from in 10.88.0.11) from=ha1 ;; 10.88.0.12) from=ha2 ;; esac
		printf '[%s]   trap from %s: %-16s %s\n' "$(ts)" "$from" \
		    "$(trap_name "$num")" "$vals"
	done
	TRAPS_SEEN=$n
}

status_of() {	# N
	title "hbctl status on ha$1"
	hbctl_n "$1" status | sed 's/^/  /'
}

# mark: the time of a command, and how often each node had started a group
mark() {
	t=$(date +%s%N)
	started_ha1=$(grep -c "started on ha1" "$LAB_DIR/ha1/hbd-ts.log" 2>/dev/null)
	started_ha2=$(grep -c "started on ha2" "$LAB_DIR/ha2/hbd-ts.log" 2>/dev/null)
}

RESULTS=$LAB_DIR/results
step() {	# NAME NEW-NODE SINCE
	local o first
	wait_for 30 "$2 to serve" served_by "$2" || die "$1: $2 does not serve"
	o=$(outage "$3" "$2")
	say "client: now served by $2 (outage $o ms)"
	printf '%-34s %8s ms   %s\n' "$1" "$o" "$2" >> "$RESULTS"
	first=$(first_answer_ns "$3" "$2")
	# the group's last start (the NFS export) may still run: wait for it
	wait_for 15 "the group to start on $2" sh -c \
	    'grep -q "started on $1" "$2" && [ "$(grep -c "started on $1" "$2")" -gt "$3" ]' \
	    _ "$2" "$LAB_DIR/$2/hbd-ts.log" "$(eval echo "\${started_$2:-0}")"
	say "where the time went (ms after the command; the client tries every 20 ms):"
	{ breakdown "$3" "$first"
	  printf '  %7d ms  client  first answer from %s\n' \
	      $(( (first - $3) / 1000000 )) "$2"; } | sort -s -n -k1,1
	sleep 0.5
	show_traps
}

# ---- the cluster ----

title "building the lab"
lab_setup > /dev/null || die "lab setup"
lab_disk_create ext4 > /dev/null || die "shared disk"
say "namespaces hbdemo0 (client 10.88.0.10), hbdemo1 (ha1 .11), hbdemo2 (ha2 .12),"
say "a switch, a crossover cable (hb0), a serial cable, a shared ext4 disk (MMP)"

# the tutorial's pages: index.html on the shared disk, hostname.html local
unshare --mount --propagation private sh -c '
	mount "$1" "$2" && cp "$3" "$2/www/index.html"; rc=$?; umount "$2"; exit $rc' \
    _ "$LAB_LOOP1" "$LAB_DIR/mnt" "$top/demo/www/index.html" || die "disk content"
# each node's own page on its local disk (a rebooted node gets it again)
local_page() {
	sed "s/@NODE@/ha$1/" "$top/demo/www/hostname.html.in" |
	    lab_exec "$1" sh -c 'cat > /srv/local/hostname.html'
}
local_page 1
local_page 2

lab_apache_conf > /dev/null
lab_ganesha_conf > /dev/null
HB_RESOURCES="ha1 10.88.0.100/24/eth0 Filesystem::/srv/disk::/srv/ha::ext4 httpd::$LAB_DIR/apache/httpd.conf nfsserver::ganesha::$LAB_DIR/nfs/ganesha.conf"
HB_KEEPALIVE=200ms HB_WARNTIME=500ms HB_DEADTIME=1 HB_INITDEAD=10
HB_EXTRA="$(hbd_lab_fence_line)
fence_delay 500ms
snmp_write on
start_timeout 30"
HB_BASE_EXTRA=$HB_EXTRA
# a timestamped logfile per node: the breakdown of every move comes from it
HB_EXTRA="$HB_BASE_EXTRA
logfile $LAB_DIR/ha1/hbd-ts.log" hbd_conf 1 &&
HB_EXTRA="$HB_BASE_EXTRA
logfile $LAB_DIR/ha2/hbd-ts.log" hbd_conf 2 || die "configuration"
say "haresources (both nodes):"
sed 's/^/           /' "$LAB_DIR/ha1/conf/haresources"

# SNMP: snmpd + hbd-snmp in each node, snmptrapd in the client; writes
# (the snmpset failover) for an SNMPv3 authPriv user only
LAB_SNMPD_EXTRA="view          hbdview included $M
view          hbdview included .1.3.6.1.2.1.1
createUser    hbdadmin SHA \"demo-auth-pass\" AES \"demo-priv-pass\"
rwuser        hbdadmin priv -V hbdview"
export LAB_SNMPD_EXTRA
lab_snmpd_conf > /dev/null || die "snmpd configuration"
lab_snmptrapd_start > /dev/null || die snmptrapd
lab_snmpd_start 1 > /dev/null || die "snmpd on ha1"
lab_snmpd_start 2 > /dev/null || die "snmpd on ha2"
say "snmpd (AgentX master) on ha1 and ha2, snmptrapd on the client"

# hbd, and hbd-snmp unless it still runs (it reconnects to a new hbd)
start_node() {	# N
	hbd_start "$1" || die "hbd on ha$1"
	p=$(cat "$LAB_DIR/ha$1/hbd-snmp.pid" 2>/dev/null)
	[ -n "$p" ] && lab_alive "$p" && return 0
	lab_exec_bg "$1" hbd-snmp.log "$SNMPSUB" -d -S $HB_SOCK \
	    -x /run/agentx/master > "$LAB_DIR/ha$1/hbd-snmp.pid" ||
	    die "hbd-snmp on ha$1"
}

title "starting hbd on both nodes"
probe_start
nfs_probe_start
mark
start_node 1
start_node 2
wait_for 30 "ha1 to serve" served_by ha1 || die "ha1 does not serve"
say "client: http://10.88.0.100/ served by ha1 ($(( ($(date +%s%N) - t) / 1000000 )) ms after start)"
say "client: index.html from the shared disk: $(lab_curl index.html | sed 's/<[^>]*>//g' | cut -c1-70)..."
nfs_lists() { lab_client timeout 5 nfs-ls nfs://10.88.0.100/srv/ha/export |
    grep -q hello.txt; }
if wait_for 15 "the NFS export" nfs_lists; then
	say "client: the NFS export behind the VIP: $(lab_client timeout 5 nfs-ls \
	    nfs://10.88.0.100/srv/ha/export 2>/dev/null | awk '{print $NF}' | tr '\n' ' ')"
else
	die "the NFS export does not answer"
fi
sleep 1
show_traps
status_of 2

title "1. late heartbeats: ha1's hbd frozen (SIGSTOP) 600 ms, longer than warntime (500 ms), shorter than deadtime (1 s)"
late0=$(hbd_q 2 .counters.late_heartbeats)
take0=$(hbd_q 2 .counters.takeovers)
fail0=$(grep -c "OID: $M.0.1|" "$LAB_TRAPLOG")
mark
# at real-time priority, so a loaded machine does not stretch the 600 ms
# past deadtime (hbd itself runs SCHED_RR)
p=$(hbd_pid 1)
chrt -f 20 sh -c 'kill -STOP "$1"; sleep 0.6; kill -CONT "$1"' _ "$p" 2>/dev/null ||
    sh -c 'kill -STOP "$1"; sleep 0.6; kill -CONT "$1"' _ "$p"
say "ha1's hbd continued after $(( ($(date +%s%N) - t) / 1000000 )) ms"
late_trap() { grep -q "OID: $M.0.3|" "$LAB_TRAPLOG"; }
wait_for 10 "the hbdLateHeartbeat trap" late_trap || die "no hbdLateHeartbeat trap"
sleep 1.5
show_traps
late1=$(hbd_q 2 .counters.late_heartbeats)
hbctl_n 2 status | grep 'late heartbeats' | sed "s/^/[$(ts)]   ha2's hbctl status: /"
[ "$late1" -gt "$late0" ] || die "ha2's late-heartbeat counter did not move"
[ "$(hbd_q 2 .counters.takeovers)" = "$take0" ] || die "ha2 took over"
[ "$(grep -c "OID: $M.0.1|" "$LAB_TRAPLOG")" = "$fail0" ] || die "a node was declared dead"
hbd_node_is 2 ha1 active || die "ha2 does not see ha1 active"
probe_lines | awk -v since="$t" '$1 >= since && $2 != "ha1" { bad = 1 } END { exit bad }' ||
    die "the client was not served by ha1 throughout"
say "late heartbeats counted by ha2: $late0 -> $late1; no failover, ha1 served the client throughout"

title "2. clean stop: SIGTERM to hbd on ha1 (heartbeat's /etc/init.d/heartbeat stop)"
mark
hbd_stop 1 || die "stop ha1"
step "clean stop of ha1" ha2 "$t"
nfs_view "clean stop" "$t"

title "3. ha1 comes back: auto_failback returns the group"
mark
start_node 1
step "ha1 back (auto_failback)" ha1 "$t"
nfs_view "auto_failback" "$t"

title "4. power-off of ha1 (processes killed, cables pulled): ha2 fences it, takes over"
mark
lab_poweroff 1
step "power-off of ha1" ha2 "$t"
status_of 2

title "5. ha1 powered on again: auto_failback"
lab_poweron 1 > /dev/null || die poweron
local_page 1
lab_snmpd_start 1 > /dev/null || die "snmpd on ha1"
mark
start_node 1
step "ha1 rebooted (auto_failback)" ha1 "$t"

title "6. failover by snmpset: hbdGroupAdminOwner.1 = \"ha2\" (SNMPv3 authPriv)"
mark
lab_client snmpset -v3 -l authPriv -u hbdadmin -a SHA -A demo-auth-pass \
    -x AES -X demo-priv-pass -On -t 3 10.88.0.11 "$M.1.6.1.6.1" s ha2 |
    sed 's/^/  /' || die "snmpset"
step "snmpset failover to ha2" ha2 "$t"
nfs_view "snmpset" "$t"
say "client: index.html unchanged: $(lab_curl index.html | sed 's/<[^>]*>//g' | cut -c1-70)..."

title "summary: outage seen by the client (first failed or old answer to first good one)"
printf '%-34s %11s   %s\n' "scenario" "outage" "now served by"
cat "$RESULTS"
status_of 1
lab_kill "$(cat "$LAB_DIR/probe.pid")" 2>/dev/null
[ -s "$LAB_DIR/nfsprobe.pid" ] && lab_kill "$(cat "$LAB_DIR/nfsprobe.pid")" 2>/dev/null

if [ $keep = 1 ]; then
	cat <<EOF

The cluster keeps running. Try:
  enter ha1:       nsenter -t \$(cat $LAB_DIR/ha1.pid) -n -u -m -- sh
  hbctl on ha2:    nsenter -t \$(cat $LAB_DIR/ha2.pid) -n -u -m -- $HBCTL -S $HB_SOCK status
  the web page:    ip netns exec hbdemo0 curl -s http://10.88.0.100/hostname.html
  SNMP walk:       ip netns exec hbdemo0 snmpwalk -v2c -c public -On 10.88.0.12 $M
  traps received:  tail -f $LAB_TRAPLOG
  a move's timeline: record "hbctl --json events" on both nodes (as above,
                   > /tmp/ha1.json and > /tmp/ha2.json), move the group
                   (hbctl standby), then: cat /tmp/ha1.json /tmp/ha2.json | $HBCTL timeline
  cut the crossover: ip -n hbdemo1 link set hb0 down   (and "up" again)
  tear it all down:  $top/scripts/demo.sh --teardown
EOF
fi
echo
echo "demo finished: $(wc -l < "$RESULTS") failovers measured"
