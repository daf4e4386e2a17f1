# shellcheck shell=sh disable=SC3043
# tests/lib/pcmk.sh - Corosync 3 + Pacemaker 2.1 on the lab, three nodes.
# Source after tests/lib/lab.sh (and tests/lib/hbd.sh), then:
#
#	lab_init PREFIX; pcmk_trap; lab_setup; lab_disk_create ext4
#	pcmk_node3_start		# a third node, ha3 (10.88.0.13)
#	pcmk_prepare 1; pcmk_prepare 2; pcmk_prepare 3
#	pcmk_start 1; pcmk_start 2; pcmk_start 3
#
# Node 3 is the lab's way of making a node (lab.sh's _lab_node_start) with
# its own netns ${P}4 on the lab's switch, cgroup $LAB_CG/node3, its own
# loop device on the shared image and the files $LAB_DIR/ha3.{pid,uts,loop}.
# No systemd: corosync -f and pacemakerd -f run inside a node (its netns,
# UTS ns and mount ns, in its cgroup), so a power-off (cgroup kill) takes
# them with it. pcmk_prepare gives the node's mount namespace private
# /dev/shm (libqb's shared memory), /var/lib/pacemaker, /var/lib/corosync
# and /var/log/{pacemaker,corosync} (bind mounts of $LAB_DIR/haN/...,
# so the logs outlive the node), /etc/corosync ($LAB_DIR/corosync), hbd's
# agents as OCF provider "hbd" and fence_hbd in /usr/sbin (overlay mounts
# on /usr/lib/ocf/resource.d and /usr/sbin). libqb's IPC sockets are
# abstract, hence per network namespace: each node's daemons find only
# their own corosync.
#
# Owns: netns ${P}4, $LAB_CG/node3, $LAB_DIR/ha3*, $LAB_DIR/corosync,
# $LAB_DIR/ocf, $LAB_DIR/sbin; the rest is lab.sh's. Never kills by name.

LAB_IP3=10.88.0.13
LAB_NODE3=ha3
PCMK_SBIN=$(command -v corosync 2>/dev/null | sed 's,/[^/]*$,,')

# pcmk_require: why Corosync/Pacemaker cannot run here (return 1), or 0
pcmk_require()
{
	local c missing=
	for c in corosync pacemakerd cibadmin crm_mon crm_resource \
	    stonith_admin corosync-keygen corosync-cfgtool; do
		command -v "$c" > /dev/null 2>&1 || missing="$missing $c"
	done
	if [ -n "$missing" ]; then
		echo "pcmk: missing$missing (Debian: corosync pacemaker" \
		    "pacemaker-cli-utils)"
		return 1
	fi
	[ -d /usr/lib/ocf/resource.d/pacemaker ] || {
		echo "pcmk: no ocf:pacemaker agents (pacemaker-resource-agents)"
		return 1
	}
	grep -qw overlay /proc/filesystems || {
		echo "pcmk: no overlay filesystem"
		return 1
	}
	id hacluster > /dev/null 2>&1 || {
		echo "pcmk: no user hacluster"
		return 1
	}
	return 0
}

_pcmk_ns3() { echo "${LAB_PREFIX}4"; }

# pcmk_teardown: node 3's netns and processes, then lab_teardown (which
# kills the whole lab cgroup, node3's included, and detaches every loop
# device backed by the lab's image). Idempotent.
pcmk_teardown()
{
	local ns pid
	[ -n "${LAB_PREFIX:-}" ] || return 0
	ns=$(_pcmk_ns3)
	[ ! -e "$LAB_CG/node3/cgroup.kill" ] ||
	    echo 1 > "$LAB_CG/node3/cgroup.kill" 2>/dev/null || true
	if [ -e "/run/netns/$ns" ]; then
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null ||
		    _lab_err "teardown: cannot delete netns $ns"
	fi
	lab_teardown
}

_pcmk_exit_trap()
{
	local rc=$?
	trap - EXIT
	trap '' INT TERM HUP
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		lab_keep_logs
	fi
	pcmk_teardown
	exit "$rc"
}

# pcmk_trap: like lab_trap, with node 3 in the teardown
pcmk_trap()
{
	trap _pcmk_exit_trap EXIT
	trap '_lab_sig_trap 130' INT
	trap '_lab_sig_trap 143' TERM
	trap '_lab_sig_trap 129' HUP
}

# pcmk_node3_start: netns ${P}4 on the switch, address 10.88.0.13, an
# anchor like lab.sh's (hostname ha3, private /run and /srv, the lab's
# hosts file plus ha3), its own loop device on the shared image if there
# is one. Waits for the anchor.
pcmk_node3_start()
{
	local ns cg loop='' pid uts
	_lab_need_init || return 1
	ns=$(_pcmk_ns3)
	cg=$LAB_CG/node3
	if [ -e "/run/netns/$ns" ]; then
		_lab_err "pcmk_node3_start: $ns exists (teardown first)"
		return 1
	fi
	grep -q "	$LAB_NODE3\$" "$LAB_DIR/hosts" ||
	    printf '%s\t%s\n' "$LAB_IP3" "$LAB_NODE3" >> "$LAB_DIR/hosts"
	ip netns add "$ns" || return 1
	ip link add eth0 netns "$ns" type veth peer name sw4 \
	    netns "$LAB_NS3" || return 1
	nsenter --net="/run/netns/$ns" sh -c '
	    cd /proc/sys/net/ipv4 || exit 1
	    echo 1 > conf/all/arp_ignore &&
	    echo 1 > conf/all/promote_secondaries &&
	    echo 1 > conf/default/promote_secondaries &&
	    echo 1 > conf/eth0/promote_secondaries' || return 1
	ip -n "$LAB_NS3" link set sw4 master br0 &&
	    ip -n "$LAB_NS3" link set sw4 up || return 1
	ip -n "$ns" -batch - <<EOF || return 1
link set lo up
addr add $LAB_IP3/$LAB_PLEN brd $LAB_BCAST dev eth0
link set eth0 up
EOF
	if [ -f "$LAB_IMG" ]; then
		loop=$(losetup -f --show "$LAB_IMG") || return 1
		echo "$loop" > "$LAB_DIR/ha3.loop"
	fi
	mkdir -p "$cg" "$LAB_DIR/ha3" || return 1
	chmod 755 "$LAB_DIR/ha3"
	rm -f "$LAB_DIR/ha3.pid" "$LAB_DIR/ha3.uts"
	_lab_bg "$LAB_DIR/ha3/anchor.log" "$cg" \
	    ip netns exec "$ns" unshare --uts --mount -- sh -c '
		dir=$1 loop=$2 p=$3
		set -e
		hostname ha3
		mount -t tmpfs -o mode=755,size=16m "$p-run" /run
		mkdir -p /run/lock /run/apache2-ha /run/agentx
		mount -t tmpfs -o mode=755,size=4m "$p-srv" /srv
		mkdir -p /srv/ha /srv/local
		echo ha3 > /srv/local/hostname.html
		echo "Define HA_NODE ha3" > /srv/local/apache-node.conf
		[ -z "$loop" ] || ln -s "$loop" /srv/disk
		mount --bind "$dir/hosts" /etc/hosts
		echo $$ > "$dir/ha3.pid.new"
		mv "$dir/ha3.pid.new" "$dir/ha3.pid"
		exec sleep infinity' _ "$LAB_DIR" "$loop" "$LAB_PREFIX"
	_lab_sleep_exe=$(readlink -f "$(command -v sleep)")
	lab_wait 5 "node ha3 anchor" _lab_anchor_up 3 || {
		sed 's/^/lab: anchor: /' "$LAB_DIR/ha3/anchor.log" >&2
		return 1
	}
	read -r pid < "$LAB_DIR/ha3.pid"
	uts=$(readlink "/proc/$pid/ns/uts") || return 1
	echo "$uts" > "$LAB_DIR/ha3.uts"
	lab_wait 5 "client to reach ha3" lab_ping 0 "$LAB_IP3"
}

# pcmk_exec N CMD...: lab_exec for nodes 1, 2 and 3
pcmk_exec()
{
	local n=$1 pid uts
	shift
	case $n in
	1|2) lab_exec "$n" "$@"; return $? ;;
	3) ;;
	*) _lab_err "pcmk_exec: node 1, 2 or 3, not $n"; return 125 ;;
	esac
	{ read -r pid < "$LAB_DIR/ha3.pid" && read -r uts < "$LAB_DIR/ha3.uts"
	} 2>/dev/null || { _lab_err "node ha3 is not running"; return 125; }
	HA_NODE=ha3 LAB_NODE=3 sh -c "$_LAB_WRAP" _ "$LAB_CG/node3" "$pid" \
	    "$uts" "$@"
}

# pcmk_exec_bg N LOG CMD...: lab_exec_bg for nodes 1, 2 and 3 (LOG is a
# name under $LAB_DIR/haN/); prints the PID
pcmk_exec_bg()
{
	local n=$1 log=$LAB_DIR/ha$1/$2 pid uts
	shift 2
	case $n in
	1|2) lab_exec_bg "$n" "$log" "$@"; return $? ;;
	3) ;;
	*) _lab_err "pcmk_exec_bg: node 1, 2 or 3, not $n"; return 125 ;;
	esac
	{ read -r pid < "$LAB_DIR/ha3.pid" && read -r uts < "$LAB_DIR/ha3.uts"
	} 2>/dev/null || { _lab_err "node ha3 is not running"; return 125; }
	HA_NODE=ha3 LAB_NODE=3 sh -c "$_LAB_WRAP" _ "$LAB_CG/node3" "$pid" \
	    "$uts" "$@" < /dev/null >> "$log" 2>&1 &
	LAB_PID=$!
	_lab_disown "$LAB_PID"
	echo "$LAB_PID" >> "$LAB_DIR/bg.pids"
	_lab_await_join "$LAB_PID" "$LAB_CG/node3" || return 1
	echo "$LAB_PID"
}

# pcmk_files COROSYNC_CONF: $LAB_DIR/corosync (the conf, a new authkey),
# $LAB_DIR/ocf/hbd (hbd's agents, by symlink) and $LAB_DIR/sbin/fence_hbd.
pcmk_files()
{
	local a
	mkdir -p "$LAB_DIR/corosync/uidgid.d" "$LAB_DIR/ocf/hbd" \
	    "$LAB_DIR/sbin" || return 1
	cp "$1" "$LAB_DIR/corosync/corosync.conf" || return 1
	[ -f "$LAB_DIR/corosync/authkey" ] ||
	    corosync-keygen -l -k "$LAB_DIR/corosync/authkey" > /dev/null ||
	    return 1
	chmod 400 "$LAB_DIR/corosync/authkey"
	for a in "$srcdir"/agents/*; do
		[ -x "$a" ] || continue
		case ${a##*/} in
		fence_*) ln -sf "$a" "$LAB_DIR/sbin/${a##*/}" ;;
		*) ln -sf "$a" "$LAB_DIR/ocf/hbd/${a##*/}" ;;
		esac
	done
}

# pcmk_prepare N: node N's private directories and mounts for Corosync
# and Pacemaker (see the top of this file). Run once per boot of the node.
pcmk_prepare()
{
	local n=$1 d=$LAB_DIR/ha$1
	mkdir -p "$d/pcmk-lib/cib" "$d/pcmk-lib/pengine" \
	    "$d/pcmk-lib/blackbox" "$d/pcmk-lib/cores" "$d/pcmk-log" \
	    "$d/corosync-lib" "$d/corosync-log" "$d/ovl" || return 1
	chown -R hacluster:haclient "$d/pcmk-lib" "$d/pcmk-log" || return 1
	chmod 750 "$d/pcmk-lib/cib" "$d/pcmk-lib/pengine" \
	    "$d/pcmk-lib/blackbox" "$d/pcmk-lib/cores"
	chmod 770 "$d/pcmk-log"
	pcmk_exec "$n" sh -c '
	    set -e
	    d=$1 lab=$2 sbin=$3
	    mount -t tmpfs -o mode=1777,size=64m "pcmk-shm" /dev/shm
	    mount --bind "$d/pcmk-lib" /var/lib/pacemaker
	    mount --bind "$d/pcmk-log" /var/log/pacemaker
	    mount --bind "$d/corosync-lib" /var/lib/corosync
	    mkdir -p /var/log/corosync
	    mount --bind "$d/corosync-log" /var/log/corosync
	    mount --bind "$lab/corosync" /etc/corosync
	    mount -t overlay pcmk-ocf \
	        -o "lowerdir=$lab/ocf:/usr/lib/ocf/resource.d" \
	        /usr/lib/ocf/resource.d
	    mount -t overlay pcmk-sbin -o "lowerdir=$lab/sbin:$sbin" "$sbin"
	    ' _ "$d" "$LAB_DIR" "${PCMK_SBIN:-/usr/sbin}"
}

# pcmk_start N: corosync -f, then pacemakerd -f, inside node N
pcmk_start()
{
	local n=$1 pid
	pid=$(pcmk_exec_bg "$n" corosync.out corosync -f) || return 1
	echo "$pid" > "$LAB_DIR/ha$n/corosync.pid"
	lab_wait 10 "corosync on ha$n" pcmk_exec "$n" \
	    corosync-cfgtool -s > /dev/null || return 1
	pid=$(pcmk_exec_bg "$n" pacemakerd.out env \
	    PCMK_logfile=/var/log/pacemaker/pacemaker.log \
	    PCMK_logfacility=none pacemakerd -f) || return 1
	echo "$pid" > "$LAB_DIR/ha$n/pacemakerd.pid"
}

# pcmk_online N COUNT: crm_mon on node N sees COUNT nodes online and a DC
pcmk_online()
{
	local out
	out=$(pcmk_exec "$1" crm_mon -1 -X 2>/dev/null) || return 1
	[ "$(printf '%s\n' "$out" | grep -c '<node name=.* online="true"')" \
	    -eq "$2" ] &&
	    printf '%s\n' "$out" | grep -q '<current_dc present="true"'
}

# pcmk_where N RSC: the node(s) crm_resource on node N says run RSC
pcmk_where()
{
	pcmk_exec "$1" crm_resource --locate --resource "$2" 2>/dev/null |
	    sed -n 's/.* is running on: \([^ ]*\).*/\1/p' | tr '\n' ' '
}

# pcmk_sampler_start NAME: lab.sh's sampler, once per pair of nodes
# (1-2, 1-3, 2-3): a pair view of $LAB_DIR whose ha1.* and ha2.* files
# are symlinks to the real nodes' files. Logs sample-NAME12 ... -NAME23.
pcmk_sampler_start()
{
	local name=$1 a b v f
	lab_sampler_start "${name}12" || return 1
	for a in 1 2; do
		b=3
		v=$LAB_DIR/pair$a$b
		mkdir -p "$v" || return 1
		for f in pid uts loop off; do
			ln -sfn "../ha$a.$f" "$v/ha1.$f"
			ln -sfn "../ha$b.$f" "$v/ha2.$f"
		done
		_lab_bg "$LAB_DIR/sample-$name$a$b.err" "$LAB_CGI" \
		    "$LAB_TOOLS/lab-sampler" -i 50 "$v" "${LAB_PREFIX}$a" \
		    "$(_pcmk_ns3)" "$LAB_VIP" "$LAB_DIR/sample-$name$a$b.log"
		echo "$_lab_pid" > "$LAB_DIR/sampler-$name$a$b.pid"
		lab_wait 2 "sampler $name$a$b to start" _lab_has_sample \
		    "$LAB_DIR/sample-$name$a$b.log" || return 1
	done
}

# pcmk_sampler_stop NAME: every pair clean (lab_sampler_stop's verdict)
pcmk_sampler_stop()
{
	local rc=0 p
	for p in 12 13 23; do
		lab_sampler_stop "$1$p" || rc=1
	done
	return $rc
}

# pcmk_probe_start: the benchmark's client (bench/probe.c): a new TCP
# connection to VIP:80 every 20 ms, GET /hostname.html, one line per
# attempt in $LAB_DIR/probe.log (START_US END_US RESULT BODY).
pcmk_probe_start()
{
	if [ ! -x "$LAB_DIR/probe" ]; then
		cc -O2 -o "$LAB_DIR/probe" "$srcdir/bench/probe.c" || return 1
	fi
	PCMK_PROBE_PID=$(lab_client_bg probe.err "$LAB_DIR/probe" -i 20 \
	    -t 500 "$LAB_VIP" 80 /hostname.html "$LAB_DIR/probe.log") ||
	    return 1
}

pcmk_probe_stop()
{
	lab_kill "$PCMK_PROBE_PID" TERM
	lab_wait 3 "probe to stop" _lab_not_alive "$PCMK_PROBE_PID"
}

# pcmk_now_us: CLOCK_REALTIME in microseconds (the probe's clock)
pcmk_now_us()
{
	local s
	s=$(date +%s%N)
	echo $((s / 1000))
}

# pcmk_served_by NODE|other:OLD: the probe's last 3 attempts were
# answered, by NODE (or by any node but OLD)
pcmk_served_by()
{
	tail -n 3 "$LAB_DIR/probe.log" 2>/dev/null | awk -v n="$1" '
	    { c++; if ($3 != "ok") bad = 1
	      else if (n ~ /^other:/) { if ($4 == substr(n, 7)) bad = 1 }
	      else if ($4 != n) bad = 1 }
	    END { exit (bad || c < 3) }'
}

# pcmk_outage T_US OLD: after action time T_US, print "MS NEW FAILED":
# milliseconds until the first attempt answered by a node other than OLD
# ended, that node, and the failed attempts in between
pcmk_outage()
{
	awk -v t="$1" -v old="$2" '
	    $2 >= t && $3 == "ok" && $4 != old && (first == "" || $2 < first) {
	        first = $2; who = $4 }
	    { line[NR] = $0; s[NR] = $1; e[NR] = $2; r[NR] = $3 }
	    END {
	        if (first == "") { print "NA NA NA"; exit }
	        for (i = 1; i <= NR; i++)
	            if (e[i] >= t && s[i] <= first && r[i] != "ok") f++
	        printf "%.0f %s %d\n", (first - t) / 1000, who, f
	    }' "$LAB_DIR/probe.log"
}
