#!/bin/sh
# hbd demo: a two-node cluster on this machine, serving a web page from a
# virtual IP and a shared disk, with an NFS export and SNMP, through a
# clean stop, a power-off, auto_failback and an snmpset failover.
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
	-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $a (try --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (namespaces, mounts)" >&2; exit 1; }

if [ $install = 1 ]; then
	./scripts/install-deps.sh || exit 1
	./scripts/build.sh > /tmp/hbdemo-build.log 2>&1 || {
		echo "demo.sh: the build failed; see /tmp/hbdemo-build.log" >&2
		exit 1; }
	make -s tests/tools/lab-sampler tests/tools/nfq-delay > /dev/null 2>&1
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

# ---- the client's view: a probe every 50 ms ----

PROBE=$LAB_DIR/probe.log
probe_start() {
	: > "$PROBE"
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
	}' "$PROBE"
}

served_by() { [ "$(tail -n 1 "$PROBE" | cut -d' ' -f2)" = "$1" ]; }

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

RESULTS=$LAB_DIR/results
step() {	# NAME NEW-NODE SINCE
	local o
	wait_for 30 "$2 to serve" served_by "$2" || die "$1: $2 does not serve"
	o=$(outage "$3" "$2")
	say "client: now served by $2 (outage $o ms)"
	printf '%-34s %8s ms   %s\n' "$1" "$o" "$2" >> "$RESULTS"
	sleep 1
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
hbd_conf 1 && hbd_conf 2 || die "configuration"
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
t=$(date +%s%N)
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

title "1. clean stop: SIGTERM to hbd on ha1 (heartbeat's /etc/init.d/heartbeat stop)"
t=$(date +%s%N)
hbd_stop 1 || die "stop ha1"
step "clean stop of ha1" ha2 "$t"

title "2. ha1 comes back: auto_failback returns the group"
t=$(date +%s%N)
start_node 1
step "ha1 back (auto_failback)" ha1 "$t"

title "3. power-off of ha1 (processes killed, cables pulled): ha2 fences it, takes over"
t=$(date +%s%N)
lab_poweroff 1
step "power-off of ha1" ha2 "$t"
status_of 2

title "4. ha1 powered on again: auto_failback"
lab_poweron 1 > /dev/null || die poweron
local_page 1
lab_snmpd_start 1 > /dev/null || die "snmpd on ha1"
t=$(date +%s%N)
start_node 1
step "ha1 rebooted (auto_failback)" ha1 "$t"

title "5. failover by snmpset: hbdGroupAdminOwner.1 = \"ha2\" (SNMPv3 authPriv)"
t=$(date +%s%N)
lab_client snmpset -v3 -l authPriv -u hbdadmin -a SHA -A demo-auth-pass \
    -x AES -X demo-priv-pass -On -t 3 10.88.0.11 "$M.1.6.1.6.1" s ha2 |
    sed 's/^/  /' || die "snmpset"
step "snmpset failover to ha2" ha2 "$t"
say "client: index.html unchanged: $(lab_curl index.html | sed 's/<[^>]*>//g' | cut -c1-70)..."

title "summary: outage seen by the client (first failed or old answer to first good one)"
printf '%-34s %11s   %s\n' "scenario" "outage" "now served by"
cat "$RESULTS"
status_of 1
lab_kill "$(cat "$LAB_DIR/probe.pid")" 2>/dev/null

if [ $keep = 1 ]; then
	cat <<EOF

The cluster keeps running. Try:
  enter ha1:       nsenter -t \$(cat $LAB_DIR/ha1.pid) -n -u -m -- sh
  hbctl on ha2:    nsenter -t \$(cat $LAB_DIR/ha2.pid) -n -u -m -- $HBCTL -S $HB_SOCK status
  the web page:    ip netns exec hbdemo0 curl -s http://10.88.0.100/hostname.html
  SNMP walk:       ip netns exec hbdemo0 snmpwalk -v2c -c public -On 10.88.0.12 $M
  traps received:  tail -f $LAB_TRAPLOG
  cut the crossover: ip -n hbdemo1 link set hb0 down   (and "up" again)
  tear it all down:  $top/scripts/demo.sh --teardown
EOF
fi
echo
echo "demo finished: $(wc -l < "$RESULTS") failovers measured"
