# shellcheck shell=sh disable=SC3043,SC2119,SC2120
# tests/lib/lab.sh - the two-node HA test lab (see /work/shared/LAB.md and
# tests/lib/README.md).  Sourced by system tests, the demo and the lab
# self-test:
#
#	. "$srcdir/tests/lib/lab.sh"
#	lab_require || exit 77
#	lab_init hbt$$x			# short, unique per concurrent suite
#	lab_trap			# teardown on any exit, logs kept on failure
#	lab_setup
#
# Shell: POSIX sh plus "local" (dash, bash and busybox ash all have it); no
# bashisms, so a test may be #!/bin/sh or #!/bin/bash.  The library is safe
# under "set -u" and "set -e": every command that may fail is guarded and
# every function returns an explicit status.  Internal names start with
# _lab; public ones with lab_ or LAB_.
#
# What this owns: network namespaces ${P}0..3, the cgroup subtree
# $LAB_CGROOT/$P, loop devices backed by $LAB_DIR/shared.img, the lab's host
# helpers (socat, sampler, delay helper, snmptrapd) and $LAB_DIR=/tmp/$P.
# What it must never do: send traffic outside 10.88.0.0/24 in its own
# namespaces, kill by process name, or touch anything it did not create.
# Every kill goes to a PID that was checked to belong to the lab (its cgroup,
# its netns or its UTS ns, or a command line naming $LAB_DIR) or to the lab's
# own cgroups.

# Addresses (LAB.md section 1); the same in every lab, each lab has its own
# namespaces.
LAB_NET=10.88.0
LAB_IP0=10.88.0.10		# client
LAB_IP1=10.88.0.11		# ha1 eth0
LAB_IP2=10.88.0.12		# ha2 eth0
LAB_HB1=10.88.0.201		# ha1 hb0 (crossover, /30)
LAB_HB2=10.88.0.202		# ha2 hb0
LAB_VIP=10.88.0.100		# reserved for resource agents, never added by setup
LAB_BCAST=10.88.0.255
LAB_PLEN=24
LAB_NODE1=ha1
LAB_NODE2=ha2
LAB_DISK=/srv/disk		# in each node: symlink to the node's own loop device
LAB_MNT=/srv/ha			# shared disk mount point in each node
export LAB_NET LAB_IP0 LAB_IP1 LAB_IP2 LAB_HB1 LAB_HB2 LAB_VIP LAB_BCAST \
    LAB_PLEN LAB_NODE1 LAB_NODE2 LAB_DISK LAB_MNT

# ---------------------------------------------------------------- helpers

_lab_err()
{
	echo "lab: $*" >&2
}

_lab_log()
{
	[ -z "${LAB_VERBOSE:-}" ] || echo "lab: $*" >&2
	return 0
}

# Milliseconds since the epoch (bash: no fork).
_lab_now_ms()
{
	local s f
	if [ -n "${EPOCHREALTIME:-}" ]; then
		s=${EPOCHREALTIME%[.,]*}
		f=${EPOCHREALTIME#*[.,]}000
		f=${f%"${f#???}"}
		while case $f in 0?*) true ;; *) false ;; esac; do f=${f#0}; done
		echo $((s * 1000 + f))
	else
		date +%s%3N
	fi
}

# "2", "0.5", "1.25" seconds -> milliseconds.
_lab_sec2ms()
{
	local i f
	case $1 in
	''|*[!0-9.]*|*.*.*) echo 0; return 1 ;;
	esac
	i=${1%%.*}
	f=
	case $1 in *.*) f=${1#*.} ;; esac
	f=${f}000
	f=${f%"${f#???}"}
	while case $f in 0?*) true ;; *) false ;; esac; do f=${f#0}; done
	echo $((${i:-0} * 1000 + f))
}

# Phase timing for LAB_TIMING=1.
_lab_t0()
{
	[ -z "${LAB_TIMING:-}" ] || _lab_tstart=$(_lab_now_ms)
	return 0
}

_lab_t1()
{
	[ -z "${LAB_TIMING:-}" ] ||
	    echo "lab: timing: $1 $(( $(_lab_now_ms) - _lab_tstart )) ms" >&2
	return 0
}

_lab_need_init()
{
	if [ -z "${LAB_PREFIX:-}" ]; then
		_lab_err "lab_init PREFIX was not called"
		return 1
	fi
	return 0
}

# _lab_nodearg N: N must be 1 or 2.
_lab_nodearg()
{
	case ${1:-} in
	1|2) return 0 ;;
	esac
	_lab_err "node must be 1 or 2, got '${1:-}'"
	return 1
}

# Process state letter without forking; empty if the process is gone.
_lab_pstate()
{
	local l
	[ -r "/proc/$1/stat" ] || return 0
	{ read -r l < "/proc/$1/stat"; } 2>/dev/null || return 0
	l=${l##*) }
	echo "${l%% *}"
}

# lab_alive PID: the process exists and is not a zombie (LAB.md section 0:
# the host's PID 1 reaps slowly, so "kill -0" lies for about 2 s).
lab_alive()
{
	case $(_lab_pstate "$1") in
	''|Z|X) return 1 ;;
	esac
	return 0
}

# _lab_cg_populated CG: the cgroup (or a child) still has processes.
_lab_cg_populated()
{
	local k v
	[ -r "$1/cgroup.events" ] || return 1
	while read -r k v; do
		if [ "$k" = populated ]; then
			[ "$v" = 1 ]
			return $?
		fi
	done < "$1/cgroup.events"
	return 1
}

_lab_cg_frozen()
{
	local k v
	[ -r "$1/cgroup.events" ] || return 1
	while read -r k v; do
		if [ "$k" = frozen ]; then
			[ "$v" = 1 ]
			return $?
		fi
	done < "$1/cgroup.events"
	return 1
}

# _lab_pid_is_ours PID: the process belongs to this lab: it is in one of the
# lab's cgroups, in one of its network namespaces, or its command line names
# $LAB_DIR.  A stale pid file may name somebody else's process by now.
_lab_pid_is_ours()
{
	local pid=$1 l c nl='
'
	case $pid in ''|*[!0-9]*) return 1 ;; esac
	[ -d "/proc/$pid" ] || return 1
	if [ -r "/proc/$pid/cgroup" ]; then
		while IFS= read -r l; do
			case $l in "0::/$LAB_PREFIX/"*) return 0 ;; esac
		done 2>/dev/null < "/proc/$pid/cgroup"
	fi
	l=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || l=
	if [ -n "$l" ] && [ -r "$LAB_DIR/netns.ids" ] &&
	    grep -qxF "$l" "$LAB_DIR/netns.ids"; then
		return 0
	fi
	c=$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline") || c=
	# $LAB_CG/: a wrapper that has not joined its cgroup yet.
	case "$nl$c$nl" in
	*"$LAB_DIR/"*|*"$nl$LAB_DIR$nl"*|*"$LAB_CG/"*) return 0 ;;
	esac
	return 1
}

# _lab_joined PID CGROUP-PATH: PID is in the cgroup (path relative to the
# cgroup root, e.g. /lab/node1), or is gone already.
_lab_joined()
{
	local l
	[ -r "/proc/$1/cgroup" ] || return 0
	while IFS= read -r l; do
		[ "$l" != "0::$2" ] || return 0
	done 2>/dev/null < "/proc/$1/cgroup"
	[ -d "/proc/$1" ] || return 0
	return 1
}

# _lab_await_join PID CG: returns once PID has joined CG (a few ms), so a
# cgroup.kill or freeze that follows cannot miss it.
_lab_await_join()
{
	local i=0 rel=${2#"$LAB_CGROOT"}
	while ! _lab_joined "$1" "$rel"; do
		i=$((i + 1))
		if [ $i -gt 500 ]; then
			_lab_err "process $1 did not join $rel"
			return 1
		fi
		sleep 0.002
	done
	return 0
}

# lab_kill PID [SIGNAL]: signal a process only if it belongs to the lab.
lab_kill()
{
	_lab_need_init || return 1
	if ! _lab_pid_is_ours "$1"; then
		_lab_err "lab_kill: $1 is not a lab process, not killed"
		return 1
	fi
	kill -"${2:-TERM}" "$1" 2>/dev/null
}

# _lab_kill_pidfile FILE [SIGNAL]: kill the PID in FILE if it is ours.
_lab_kill_pidfile()
{
	local pid
	[ -r "$1" ] || return 0
	{ read -r pid < "$1"; } 2>/dev/null || return 0
	if _lab_pid_is_ours "$pid"; then
		kill -"${2:-KILL}" "$pid" 2>/dev/null || true
	fi
	return 0
}

# _lab_wait_gone PID TIMEOUT_S: until the process is gone or a zombie.
_lab_wait_gone()
{
	lab_wait "$2" "process $1 to exit" _lab_not_alive "$1"
}

_lab_not_alive()
{
	! lab_alive "$1"
}

# PIDs whose UTS namespace is $1 (e.g. "uts:[4026532301]").  One ls over
# /proc: about 4 ms with 70 processes, where a readlink loop takes 160 ms.
_lab_uts_pids()
{
	[ -n "$1" ] || return 0
	ls -l /proc/[0-9]*/ns/uts 2>/dev/null | awk -v u="$1" '
	    $NF == u { n = split($(NF - 2), a, "/"); print a[3] }'
}

# _lab_loop N: node N's loop device, empty if there is no disk.  Read from
# the lab's file, not from LAB_LOOPn, which a function run in a subshell
# (e.g. $(lab_disk_create)) could not set.
_lab_loop()
{
	[ ! -r "$LAB_DIR/ha$1.loop" ] || cat "$LAB_DIR/ha$1.loop"
	return 0
}

# _lab_disown PID: bash prints "Killed  sh -c ..." for every background job
# a fence or teardown kills; take the job out of its table (bash still
# reaps it).  dash prints nothing and has no disown.  A consequence: in
# bash, "wait PID" does not work for lab jobs; use lab_alive.
_lab_disown()
{
	if [ -n "${BASH_VERSION:-}" ]; then
		# shellcheck disable=SC3044
		disown "$1" 2>/dev/null || true
	fi
	return 0
}

# _lab_ns N: name of namespace N (0..3).
_lab_ns()
{
	eval "echo \"\${LAB_NS$1}\""
}

# _lab_bg LOG CG CMD...: start CMD in the background inside cgroup CG with
# stdin from /dev/null and output to LOG.  Every step execs, so $! is the
# final process; it is left in _lab_pid.  No setsid: setsid forks when the
# caller is a process group leader, and then $! would be wrong.
_lab_bg()
{
	local log=$1 cg=$2
	shift 2
	sh -c 'echo $$ > "$1/cgroup.procs" || exit 125; shift; exec "$@"' \
	    _ "$cg" "$@" < /dev/null >> "$log" 2>&1 &
	_lab_pid=$!
	_lab_disown "$_lab_pid"
	_lab_await_join "$_lab_pid" "$cg"
}

# ------------------------------------------------------------------ setup

# lab_require [COMMAND...]: prints why the lab cannot run here and returns 1
# (tests then exit 77); checks root, cgroup v2, namespaces and commands.
lab_require()
{
	local c missing=
	if [ "$(id -u)" != 0 ]; then
		echo "lab: needs root (network namespaces, cgroups, loop devices)"
		return 1
	fi
	if ! _lab_cgroot > /dev/null; then
		echo "lab: no cgroup v2 mount (tried /sys/fs/cgroup/unified, /sys/fs/cgroup)"
		return 1
	fi
	for c in ip nsenter unshare socat ping losetup awk "$@"; do
		command -v "$c" > /dev/null 2>&1 || missing="$missing $c"
	done
	if [ -n "$missing" ]; then
		echo "lab: missing commands:$missing"
		return 1
	fi
	return 0
}

_lab_cgroot()
{
	local d
	for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
		if [ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# lab_init PREFIX: names everything after PREFIX so labs can coexist.
lab_init()
{
	local p=${1:-} t
	# HBD_LAB_TAG: a suffix that lets two checkouts run the same test
	# at once (their fixed prefixes would otherwise collide)
	if [ -n "${HBD_LAB_TAG:-}" ] && [ $((${#p} + ${#HBD_LAB_TAG})) -le 11 ]
	then
		p=$p$HBD_LAB_TAG
	fi
	case $p in
	''|[!a-zA-Z]*|*[!a-zA-Z0-9_]*)
		_lab_err "lab_init: prefix must be [a-zA-Z][a-zA-Z0-9_]*, got '$p'"
		return 1 ;;
	esac
	if [ ${#p} -gt 11 ]; then
		_lab_err "lab_init: prefix '$p' longer than 11 characters"
		return 1
	fi
	LAB_PREFIX=$p
	LAB_NS0=${p}0
	LAB_NS1=${p}1
	LAB_NS2=${p}2
	LAB_NS3=${p}3
	LAB_DIR=/tmp/$p
	LAB_CGROOT=$(_lab_cgroot) || LAB_CGROOT=/sys/fs/cgroup/unified
	LAB_CG=$LAB_CGROOT/$p
	LAB_CG1=$LAB_CG/node1
	LAB_CG2=$LAB_CG/node2
	LAB_CGI=$LAB_CG/infra		# socat, sampler, nfq-delay, snmptrapd
	LAB_CGC=$LAB_CG/client		# lab_client_bg
	LAB_IMG=$LAB_DIR/shared.img
	LAB_TTY1=$LAB_DIR/ttyS0		# ha1's end of the serial cable
	LAB_TTY2=$LAB_DIR/ttyS1		# ha2's end
	t=${LAB_TOOLS:-${builddir:-.}/tests/tools}
	LAB_TOOLS=$(cd "$t" 2>/dev/null && pwd) || LAB_TOOLS=$t
	LAB_LOOP1=
	LAB_LOOP2=
	[ ! -r "$LAB_DIR/ha1.loop" ] || read -r LAB_LOOP1 < "$LAB_DIR/ha1.loop"
	[ ! -r "$LAB_DIR/ha2.loop" ] || read -r LAB_LOOP2 < "$LAB_DIR/ha2.loop"
	export LAB_PREFIX LAB_NS0 LAB_NS1 LAB_NS2 LAB_NS3 LAB_DIR LAB_CGROOT \
	    LAB_CG LAB_CG1 LAB_CG2 LAB_CGI LAB_CGC LAB_IMG LAB_TTY1 LAB_TTY2 \
	    LAB_TOOLS LAB_LOOP1 LAB_LOOP2
	return 0
}

_lab_hosts()
{
	cat > "$LAB_DIR/hosts" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
$LAB_IP0	client
$LAB_IP1	$LAB_NODE1
$LAB_IP2	$LAB_NODE2
$LAB_HB1	$LAB_NODE1-hb
$LAB_HB2	$LAB_NODE2-hb
$LAB_VIP	vip nfsha
EOF
}

_lab_topology()
{
	local i
	# Host side: namespaces and veth pairs, both ends created directly in
	# their namespaces, so each may be called eth0 or hb0.
	{
		for i in 0 1 2 3; do
			echo "netns add ${LAB_PREFIX}$i"
		done
		for i in 0 1 2; do
			echo "link add eth0 netns ${LAB_PREFIX}$i type veth" \
			    "peer name sw$i netns $LAB_NS3"
		done
		echo "link add hb0 netns $LAB_NS1 type veth peer name hb0" \
		    "netns $LAB_NS2"
	} | ip -batch - || return 1
	# Node sysctls before any link is up.  arp_ignore=1: without it ha2
	# answers ARP for .202 on eth0 and a cut crossover heals itself over
	# the LAN.  promote_secondaries: deleting the primary address must not
	# take a same-subnet VIP with it.
	for i in 1 2; do
		nsenter --net="/run/netns/${LAB_PREFIX}$i" sh -c '
		    cd /proc/sys/net/ipv4 || exit 1
		    echo 1 > conf/all/arp_ignore &&
		    echo 1 > conf/all/promote_secondaries &&
		    echo 1 > conf/default/promote_secondaries &&
		    echo 1 > conf/eth0/promote_secondaries &&
		    echo 1 > conf/hb0/promote_secondaries || exit 1
		    [ -z "$1" ] || echo 1 > ip_nonlocal_bind' _ \
		    "${LAB_NONLOCAL_BIND:-}" || return 1
	done
	ip -n "$LAB_NS3" -batch - <<EOF || return 1
link set lo up
link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
link set br0 up
link set sw0 master br0
link set sw1 master br0
link set sw2 master br0
link set sw0 up
link set sw1 up
link set sw2 up
EOF
	ip -n "$LAB_NS0" -batch - <<EOF || return 1
link set lo up
addr add $LAB_IP0/$LAB_PLEN brd $LAB_BCAST dev eth0
link set eth0 up
EOF
	for i in 1 2; do
		eval "ip -n \"\$LAB_NS$i\" -batch -" <<EOF || return 1
link set lo up
addr add $LAB_NET.1$i/$LAB_PLEN brd $LAB_BCAST dev eth0
link set eth0 up
addr add $LAB_NET.20$i/30 dev hb0
link set hb0 up
EOF
	done
	stat -L -c 'net:[%i]' /run/netns/"$LAB_NS0" /run/netns/"$LAB_NS1" \
	    /run/netns/"$LAB_NS2" /run/netns/"$LAB_NS3" > "$LAB_DIR/netns.ids"
}

_lab_serial_start()
{
	_lab_bg "$LAB_DIR/socat.log" "$LAB_CGI" socat -d -d \
	    "pty,raw,echo=0,link=$LAB_TTY1" "pty,raw,echo=0,link=$LAB_TTY2"
	echo "$_lab_pid" > "$LAB_DIR/socat.pid"
	lab_wait 5 "serial cable ptys" test -e "$LAB_TTY1" -a -e "$LAB_TTY2"
}

# Starts the anchor of node N: `sleep infinity` in netns ${P}N with its own
# UTS ns (hostname haN) and mount ns (private /run, /srv, /srv/ha,
# /srv/local, /etc/hosts), in cgroup nodeN (LAB.md sections 3 and 9).  The
# inner shell writes its own PID just before it execs sleep, which is exact
# even where $! would not be.  Does not wait; see _lab_node_ready.
_lab_node_start()
{
	local n=$1 cg loop
	eval "cg=\$LAB_CG$n"
	loop=$(_lab_loop "$n")
	rm -f "$LAB_DIR/ha$n.pid" "$LAB_DIR/ha$n.uts" "$LAB_DIR/ha$n.off" \
	    "$LAB_DIR/ha$n.frozen"
	mkdir -p "$cg" "$LAB_DIR/ha$n" || return 1
	_lab_bg "$LAB_DIR/ha$n/anchor.log" "$cg" \
	    ip netns exec "${LAB_PREFIX}$n" unshare --uts --mount -- sh -c '
		n=$1 dir=$2 loop=$3 p=$4
		set -e
		hostname "ha$n"
		mount -t tmpfs -o mode=755,size=16m "$p-run" /run
		mkdir -p /run/lock /run/apache2-ha /run/agentx
		mount -t tmpfs -o mode=755,size=4m "$p-srv" /srv
		mkdir -p /srv/ha /srv/local
		echo "ha$n" > /srv/local/hostname.html
		echo "Define HA_NODE ha$n" > /srv/local/apache-node.conf
		[ -z "$loop" ] || ln -s "$loop" /srv/disk
		mount --bind "$dir/hosts" /etc/hosts
		echo $$ > "$dir/ha$n.pid.new"
		mv "$dir/ha$n.pid.new" "$dir/ha$n.pid"
		exec sleep infinity' _ "$n" "$LAB_DIR" "$loop" "$LAB_PREFIX"
	return 0
}

_lab_anchor_up()
{
	local pid
	[ -r "$LAB_DIR/ha$1.pid" ] || return 1
	read -r pid < "$LAB_DIR/ha$1.pid" || return 1
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$_lab_sleep_exe" ]
}

# Waits for the anchor and records its UTS ns, which identifies this
# incarnation of the node (lab_exec and the sampler check it).
_lab_node_ready()
{
	# 55-90 ms when idle; more than 5 s was seen at load average 14 (other
	# jobs, make -j): the limit only bounds a failure
	local n=$1 pid uts
	_lab_sleep_exe=$(readlink -f "$(command -v sleep)")
	if ! lab_wait 20 "node ha$n anchor" _lab_anchor_up "$n"; then
		sed 's/^/lab: anchor: /' "$LAB_DIR/ha$n/anchor.log" >&2
		return 1
	fi
	read -r pid < "$LAB_DIR/ha$n.pid"
	uts=$(readlink "/proc/$pid/ns/uts") || return 1
	if [ "$uts" = "$(readlink /proc/$$/ns/uts)" ]; then
		_lab_err "node ha$n anchor did not get its own UTS namespace"
		return 1
	fi
	echo "$uts" > "$LAB_DIR/ha$n.uts"
	return 0
}

# lab_ping FROM ADDR: one ping from namespace FROM (0..3) answered within
# 0.3 s.  A network-only command, so nsenter --net (no mount ns needed).
lab_ping()
{
	nsenter --net="/run/netns/${LAB_PREFIX}$1" \
	    ping -n -q -c 1 -W 0.3 "$2" > /dev/null 2>&1
}

# lab_setup: defensive teardown, topology, hosts file, both nodes, serial
# cable; returns when the client reaches both nodes and the crossover works.
lab_setup()
{
	local i
	_lab_need_init || return 1
	_lab_t0
	lab_teardown
	_lab_t1 "setup: defensive teardown"
	_lab_t0
	mkdir -p "$LAB_DIR/ha1" "$LAB_DIR/ha2" &&
	    chmod 755 "$LAB_DIR" "$LAB_DIR/ha1" "$LAB_DIR/ha2" || return 1
	mkdir -p "$LAB_CG1" "$LAB_CG2" "$LAB_CGI" "$LAB_CGC" || {
		_lab_err "cannot create cgroups under $LAB_CG"
		return 1
	}
	_lab_hosts || return 1
	if ! _lab_topology; then
		_lab_err "lab_setup: building the topology failed"
		return 1
	fi
	_lab_t1 "setup: topology"
	_lab_t0
	_lab_serial_start || return 1
	_lab_node_start 1 || return 1
	_lab_node_start 2 || return 1
	_lab_node_ready 1 || return 1
	_lab_node_ready 2 || return 1
	_lab_t1 "setup: serial + nodes"
	_lab_t0
	lab_wait 5 "client to reach ha1" lab_ping 0 "$LAB_IP1" || return 1
	lab_wait 5 "client to reach ha2" lab_ping 0 "$LAB_IP2" || return 1
	lab_wait 5 "ha1 to reach ha2 over the crossover" \
	    lab_ping 1 "$LAB_HB2" || return 1
	_lab_t1 "setup: first pings"
	_lab_log "lab $LAB_PREFIX is up in $LAB_DIR"
	return 0
}

# ---------------------------------------------------------- running things

# lab_node_pid N: the PID of node N's anchor (empty + 1 if powered off).
lab_node_pid()
{
	local pid
	_lab_nodearg "$1" || return 1
	[ -r "$LAB_DIR/ha$1.pid" ] || return 1
	read -r pid < "$LAB_DIR/ha$1.pid" || return 1
	echo "$pid"
}

# Sets _lab_apid and _lab_auts for node N, or says why it cannot be entered.
_lab_node_enterable()
{
	_lab_need_init || return 1
	_lab_nodearg "$1" || return 1
	if [ -e "$LAB_DIR/ha$1.off" ]; then
		_lab_err "node ha$1 is powered off"
		return 1
	fi
	if [ -e "$LAB_DIR/ha$1.frozen" ]; then
		_lab_err "node ha$1 is frozen (a command would hang)"
		return 1
	fi
	if ! { read -r _lab_apid < "$LAB_DIR/ha$1.pid" &&
	    read -r _lab_auts < "$LAB_DIR/ha$1.uts"; } 2>/dev/null; then
		_lab_err "node ha$1 is not running"
		return 1
	fi
	return 0
}

# The §3 wrapper: join the node's cgroup, check that the anchor is still
# this node (a recycled PID must never be entered), enter net, UTS and mount
# namespaces and exec.  The working directory is kept (nsenter -m alone
# would move to /).
_LAB_WRAP='cg=$1 pid=$2 uts=$3
shift 3
if [ "$(readlink "/proc/$pid/ns/uts" 2>/dev/null)" != "$uts" ]; then
	echo "lab: node anchor $pid is gone" >&2
	exit 125
fi
echo $$ > "$cg/cgroup.procs" || exit 125
exec nsenter -t "$pid" -n -u -m --wd="$PWD" -- "$@"'

# lab_exec N CMD...: run CMD inside node N (cgroup + namespaces), in the
# foreground, environment passed through plus HA_NODE=haN LAB_NODE=N.
lab_exec()
{
	local n=${1:-} cg
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_exec N CMD..."
		return 125
	fi
	shift
	_lab_node_enterable "$n" || return 125
	eval "cg=\$LAB_CG$n"
	HA_NODE=ha$n LAB_NODE=$n sh -c "$_LAB_WRAP" _ "$cg" "$_lab_apid" \
	    "$_lab_auts" "$@"
}

# lab_exec_bg N LOGFILE CMD...: lab_exec in the background; output appended
# to LOGFILE (a bare name goes to $LAB_DIR/haN/).  Prints the PID of the
# final process (every step execs), also left in LAB_PID and in
# $LAB_DIR/bg.pids for teardown.
lab_exec_bg()
{
	local n=${1:-} log=${2:-} cg
	if [ $# -lt 3 ]; then
		_lab_err "usage: lab_exec_bg N LOGFILE CMD..."
		return 125
	fi
	shift 2
	_lab_node_enterable "$n" || return 125
	case $log in
	*/*) ;;
	'') log=/dev/null ;;
	*) log=$LAB_DIR/ha$n/$log ;;
	esac
	eval "cg=\$LAB_CG$n"
	HA_NODE=ha$n LAB_NODE=$n sh -c "$_LAB_WRAP" _ "$cg" "$_lab_apid" \
	    "$_lab_auts" "$@" < /dev/null >> "$log" 2>&1 &
	LAB_PID=$!
	_lab_disown "$LAB_PID"
	echo "$LAB_PID" >> "$LAB_DIR/bg.pids"
	_lab_await_join "$LAB_PID" "$cg" || return 1
	echo "$LAB_PID"
	return 0
}

# lab_client CMD...: run CMD in the client namespace (foreground).
lab_client()
{
	_lab_need_init || return 1
	ip netns exec "$LAB_NS0" "$@"
}

# lab_client_bg LOGFILE CMD...: same in the background (cgroup "client");
# prints the PID, also left in LAB_PID.
lab_client_bg()
{
	local log=${1:-/dev/null}
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_client_bg LOGFILE CMD..."
		return 1
	fi
	shift
	_lab_need_init || return 1
	case $log in */*) ;; *) log=$LAB_DIR/$log ;; esac
	_lab_bg "$log" "$LAB_CGC" ip netns exec "$LAB_NS0" "$@"
	LAB_PID=$_lab_pid
	echo "$LAB_PID" >> "$LAB_DIR/bg.pids"
	echo "$LAB_PID"
	return 0
}

# lab_curl PATH [CURL-ARGS...]: GET http://VIP/PATH from the client.
lab_curl()
{
	local p=${1:-}
	[ $# -eq 0 ] || shift
	p=${p#/}
	ip netns exec "$LAB_NS0" curl -s --max-time 2 "$@" \
	    "http://$LAB_VIP/$p"
}

# lab_wait TIMEOUT_S DESCRIPTION CMD...: poll CMD (a command or function;
# output discarded) every 50 ms until it succeeds.  On timeout prints
# "timeout after Ns waiting for DESCRIPTION" and the last attempt's output,
# and returns 1.
lab_wait()
{
	local t=$1 d=$2 end out=
	shift 2
	end=$(( $(_lab_now_ms) + $(_lab_sec2ms "$t") ))
	while :; do
		if out=$("$@" 2>&1); then
			return 0
		fi
		[ "$(_lab_now_ms)" -lt "$end" ] || break
		sleep 0.05
	done
	_lab_err "timeout after ${t}s waiting for $d"
	[ -z "$out" ] || printf '%s\n' "$out" | tail -n 5 |
	    sed 's/^/lab:   last try: /' >&2
	return 1
}

# --------------------------------------------------------------- the disk

# lab_disk_create [ext4|xfs]: the shared disk (LAB.md section 4): one image,
# one loop device per node (LAB_LOOP1, LAB_LOOP2; /srv/disk in each node
# points to its own), with /www/index.html and /export/ on it.  ext4 has
# MMP, so a second concurrent mounter is refused after about 11 s.
lab_disk_create()
{
	local fs=${1:-ext4} n dev
	_lab_need_init || return 1
	[ -d "$LAB_DIR" ] || { _lab_err "lab_disk_create: no lab"; return 1; }
	for n in 1 2; do
		if lab_mounted "$n"; then
			_lab_err "lab_disk_create: ha$n has the old disk mounted"
			return 1
		fi
	done
	_lab_disk_detach
	rm -f "$LAB_IMG" "$LAB_DIR/ha1.loop" "$LAB_DIR/ha2.loop"
	case $fs in
	ext4)
		truncate -s 64M "$LAB_IMG" &&
		    mkfs.ext4 -q -F -L hashared -O mmp \
		    -E mmp_update_interval=1 "$LAB_IMG" || return 1 ;;
	xfs)
		# mkfs.xfs refuses less than 300 MB; the file is sparse.
		truncate -s 320M "$LAB_IMG" &&
		    mkfs.xfs -q -f -L hashared "$LAB_IMG" || return 1 ;;
	*)
		_lab_err "lab_disk_create: ext4 or xfs, not '$fs'"
		return 1 ;;
	esac
	for n in 1 2; do
		dev=$(losetup -f --show "$LAB_IMG") || return 1
		echo "$dev" > "$LAB_DIR/ha$n.loop"
		eval "LAB_LOOP$n=\$dev"
	done
	export LAB_LOOP1 LAB_LOOP2
	LAB_DISK_FS=$fs
	export LAB_DISK_FS
	# Populate from a throw-away mount namespace on the host.
	mkdir -p "$LAB_DIR/mnt"
	unshare --mount --propagation private sh -c '
	    mount "$1" "$2" || exit 1
	    mkdir -p "$2/www" "$2/export" &&
	    echo "shared disk of lab $3" > "$2/www/index.html" &&
	    echo hello > "$2/export/hello.txt" &&
	    chmod 755 "$2/www" "$2/export" && chmod 644 "$2/www/index.html"
	    rc=$?
	    umount "$2" || rc=1
	    exit $rc' _ "$LAB_LOOP1" "$LAB_DIR/mnt" "$LAB_PREFIX" || {
		_lab_err "lab_disk_create: populating the disk failed"
		return 1
	}
	for n in 1 2; do
		[ ! -e "$LAB_DIR/ha$n.pid" ] || [ -e "$LAB_DIR/ha$n.off" ] ||
		    eval "lab_exec $n ln -sfn \"\$LAB_LOOP$n\" $LAB_DISK" ||
		    return 1
	done
	return 0
}

# Detaches every loop device whose backing file lies in $LAB_DIR, also a
# deleted one ("... (deleted)").  A device still mounted somewhere is only
# marked for auto-clear by the kernel and goes when the last mount does.
_lab_disk_detach()
{
	local dev
	losetup -l -n -O NAME,BACK-FILE 2>/dev/null | awk -v d="$LAB_DIR/" '
	    index($2, d) == 1 { print $1 }' | while read -r dev; do
		losetup -d "$dev" 2>/dev/null || true
	done
	return 0
}

# lab_mount N / lab_umount N: mount the shared disk (through the node's own
# loop device) on /srv/ha in node N, and back.
lab_mount()
{
	lab_exec "$1" mount "$LAB_DISK" "$LAB_MNT"
}

lab_umount()
{
	lab_exec "$1" umount "$LAB_MNT"
}

# lab_mounted N: node N has /srv/ha mounted (its own mount table).
lab_mounted()
{
	local pid
	pid=$(lab_node_pid "$1") || return 1
	awk '$2 == "/srv/ha" { f = 1 } END { exit !f }' "/proc/$pid/mounts" \
	    2>/dev/null
}

# ------------------------------------------------------------------- VIP

# lab_vip_on N: the VIP is on some interface of node N's netns.
lab_vip_on()
{
	ip -n "$(_lab_ns "$1")" -o -4 addr show 2>/dev/null |
	    awk -v v="$LAB_VIP" '{ split($4, a, "/"); if (a[1] == v) f = 1 }
	    END { exit !f }'
}

# lab_vip_add N / lab_vip_del N: what a resource agent does, for tests of
# the lab itself: add the VIP and announce it with a gratuitous ARP (in the
# background: arping sleeps 1 s after sending), or remove it.
lab_vip_add()
{
	lab_exec "$1" ip addr add "$LAB_VIP/$LAB_PLEN" brd "$LAB_BCAST" \
	    dev eth0 || return 1
	lab_exec_bg "$1" arping.log arping -q -U -c 1 -I eth0 "$LAB_VIP" \
	    > /dev/null
}

lab_vip_del()
{
	lab_exec "$1" ip addr del "$LAB_VIP/$LAB_PLEN" dev eth0
}

# lab_mac N: MAC address of node N's eth0.
lab_mac()
{
	ip -n "$(_lab_ns "$1")" -o link show eth0 |
	    sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# --------------------------------------------------------------- faults

# lab_link_cut hb N | lan N: hb = the crossover, downed inside node N (1|2);
# lan = node N's cable pulled at the switch (N 0..2, 0 = client).
lab_link_cut()
{
	_lab_link "$1" "${2:-}" down
}

lab_link_restore()
{
	_lab_link "$1" "${2:-}" up
}

_lab_link()
{
	_lab_need_init || return 1
	case $1 in
	hb)
		_lab_nodearg "$2" || return 1
		if [ "$3" = down ]; then
			touch "$LAB_DIR/cut-hb-$2"
		else
			rm -f "$LAB_DIR/cut-hb-$2"
			[ ! -e "$LAB_DIR/ha$2.off" ] || return 0
		fi
		ip -n "$(_lab_ns "$2")" link set hb0 "$3" ;;
	lan)
		case $2 in
		0|1|2) ;;
		*) _lab_err "lab_link: lan port must be 0..2"; return 1 ;;
		esac
		ip -n "$LAB_NS3" link set "sw$2" "$3" ;;
	*)
		_lab_err "lab_link_cut/restore: hb|lan N"
		return 1 ;;
	esac
}

# lab_serial_cut / lab_serial_restore: SIGSTOP/SIGCONT the socat cable.
# Bytes written meanwhile are queued and arrive at once on restore.
lab_serial_cut()
{
	_lab_need_init || return 1
	_lab_kill_pidfile "$LAB_DIR/socat.pid" STOP
}

lab_serial_restore()
{
	_lab_need_init || return 1
	_lab_kill_pidfile "$LAB_DIR/socat.pid" CONT
}

# _lab_nft N: feed stdin to nft in node N's netns.
_lab_nft()
{
	nsenter --net="/run/netns/$(_lab_ns "$1")" nft -f -
}

# lab_drop_port N PORT [udp|tcp] [in|out|both]: drop packets to PORT on
# node N (default: udp, incoming).  Repeatable; lab_undrop N removes all.
lab_drop_port()
{
	local n=$1 port=${2:-} proto=${3:-udp} dir=${4:-in} r=
	_lab_need_init && _lab_nodearg "$n" || return 1
	case $port in ''|*[!0-9]*) _lab_err "lab_drop_port: bad port"; return 1 ;; esac
	case $proto in udp|tcp) ;; *) _lab_err "lab_drop_port: udp|tcp"; return 1 ;; esac
	case $dir in
	in|both) r="add rule inet labfail in $proto dport $port drop" ;;
	esac
	case $dir in
	out|both) r="$r
add rule inet labfail out $proto dport $port drop" ;;
	in) ;;
	*) _lab_err "lab_drop_port: in|out|both"; return 1 ;;
	esac
	_lab_nft "$n" <<EOF
table inet labfail {
	chain in { type filter hook input priority -10; policy accept; }
	chain out { type filter hook output priority -10; policy accept; }
}
$r
EOF
}

lab_undrop()
{
	_lab_nodearg "${1:-}" || return 1
	echo "delete table inet labfail" | _lab_nft "$1" 2>/dev/null || true
	return 0
}

# lab_isolate N / lab_unisolate N: node N sends and receives nothing on any
# interface (loopback excepted).  The serial cable is not a network.
lab_isolate()
{
	_lab_need_init && _lab_nodearg "${1:-}" || return 1
	_lab_nft "$1" <<EOF
table inet labiso {
	chain in { type filter hook input priority -20; policy drop; iif lo accept; }
	chain out { type filter hook output priority -20; policy drop; oif lo accept; }
}
EOF
}

lab_unisolate()
{
	_lab_nodearg "${1:-}" || return 1
	echo "delete table inet labiso" | _lab_nft "$1" 2>/dev/null || true
	return 0
}

# lab_loss N PCT / lab_unloss N: drop PCT % of all packets node N receives.
lab_loss()
{
	_lab_need_init && _lab_nodearg "${1:-}" || return 1
	case ${2:-} in
	''|*[!0-9]*) _lab_err "lab_loss: PCT 0..100"; return 1 ;;
	esac
	[ "$2" -le 100 ] || { _lab_err "lab_loss: PCT 0..100"; return 1; }
	lab_unloss "$1"
	_lab_nft "$1" <<EOF
table inet labloss {
	chain in { type filter hook input priority -15; policy accept; numgen random mod 100 < $2 drop; }
}
EOF
}

lab_unloss()
{
	_lab_nodearg "${1:-}" || return 1
	echo "delete table inet labloss" | _lab_nft "$1" 2>/dev/null || true
	return 0
}

# lab_delay N PORT MS [LOSS_PCT [IFACE]]: hold each packet node N receives
# for PORT for MS milliseconds (and drop LOSS_PCT %), with iptables NFQUEUE
# and tests/tools/nfq-delay (this kernel has no netem).  PORT: 694 or
# udp:694 (UDP), tcp:80, or "all" (every incoming packet); loopback is never
# delayed; IFACE (eth0 or hb0) limits it to one link.  One delay per node; a
# second call replaces the first.  lab_undelay N removes it.
lab_delay()
{
	local n=$1 port=${2:-} ms=${3:-} loss=${4:-0} ifc=${5:-} q match ns
	_lab_need_init && _lab_nodearg "$n" || return 1
	case $port in
	all) match= ;;
	tcp:[0-9]*) match="-p tcp --dport ${port#tcp:}" ;;
	udp:[0-9]*) match="-p udp --dport ${port#udp:}" ;;
	[0-9]*) match="-p udp --dport $port" ;;
	*) _lab_err "lab_delay: PORT is N, udp:N, tcp:N or all"; return 1 ;;
	esac
	case $ms$loss in
	*[!0-9]*|'') _lab_err "lab_delay: MS and LOSS are integers"; return 1 ;;
	esac
	case $ifc in
	'') match="! -i lo $match" ;;
	eth0|hb0) match="-i $ifc $match" ;;
	*) _lab_err "lab_delay: IFACE is eth0 or hb0"; return 1 ;;
	esac
	if [ ! -x "$LAB_TOOLS/nfq-delay" ]; then
		_lab_err "lab_delay: $LAB_TOOLS/nfq-delay not built (make check, or lab_build_tools)"
		return 1
	fi
	lab_undelay "$n"
	ns=$(_lab_ns "$n")
	q=$((20 + n))
	: > "$LAB_DIR/delay$n.log"
	_lab_bg "$LAB_DIR/delay$n.log" "$LAB_CGI" \
	    nsenter --net="/run/netns/$ns" "$LAB_TOOLS/nfq-delay" "$q" "$ms" \
	    "$loss"
	echo "$_lab_pid" > "$LAB_DIR/delay$n.pid"
	# The rule goes in only once the queue is bound: an NFQUEUE rule
	# without a reader drops everything.
	lab_wait 3 "nfq-delay ready" grep -q ready "$LAB_DIR/delay$n.log" ||
	    return 1
	echo "$match -j NFQUEUE --queue-num $q" > "$LAB_DIR/delay$n.rule"
	# shellcheck disable=SC2086
	nsenter --net="/run/netns/$ns" iptables -w -I INPUT $match \
	    -j NFQUEUE --queue-num "$q"
}

lab_undelay()
{
	local n=${1:-} rule pid
	_lab_nodearg "$n" || return 1
	if [ -r "$LAB_DIR/delay$n.rule" ]; then
		read -r rule < "$LAB_DIR/delay$n.rule"
		# shellcheck disable=SC2086
		nsenter --net="/run/netns/$(_lab_ns "$n")" iptables -w \
		    -D INPUT $rule 2>/dev/null || true
		rm -f "$LAB_DIR/delay$n.rule"
	fi
	if [ -r "$LAB_DIR/delay$n.pid" ]; then
		read -r pid < "$LAB_DIR/delay$n.pid"
		# TERM: it releases the packets it still holds.
		_lab_kill_pidfile "$LAB_DIR/delay$n.pid" TERM
		_lab_wait_gone "$pid" 2 2>/dev/null ||
		    _lab_kill_pidfile "$LAB_DIR/delay$n.pid" KILL
		rm -f "$LAB_DIR/delay$n.pid"
	fi
	return 0
}

# lab_heal N: remove every fault on node N (links, nft tables, delay).
lab_heal()
{
	_lab_nodearg "${1:-}" || return 1
	lab_undrop "$1"
	lab_unisolate "$1"
	lab_unloss "$1"
	lab_undelay "$1"
	lab_link_restore hb "$1" || true
	lab_link_restore lan "$1" || true
	return 0
}

# Kills what is left of node N outside its cgroup: processes in its UTS ns
# (e.g. started with plain nsenter) and in its netns (e.g. ip netns exec),
# except the lab's own helpers (cgroup infra, e.g. nfq-delay).  Prints how
# many it killed.
_lab_sweep_node()
{
	local n=$1 uts=$2 pid k=0
	for pid in $(_lab_uts_pids "$uts") \
	    $(ip netns pids "$(_lab_ns "$n")" 2>/dev/null); do
		[ "$pid" != $$ ] || continue
		if grep -qx "0::/$LAB_PREFIX/infra" "/proc/$pid/cgroup" \
		    2>/dev/null; then
			continue
		fi
		lab_alive "$pid" || continue
		kill -KILL "$pid" 2>/dev/null && k=$((k + 1))
	done
	echo "$k"
}

# lab_poweroff N: fence node N (LAB.md section 9): kill its cgroup (fork
# proof), sweep its UTS ns and netns for strays, take its links down (the
# netns outlives the processes and would keep answering for the VIP), and
# wait until the cgroup is empty and its disk superblock is released.
lab_poweroff()
{
	local n=${1:-} cg uts='' k loop
	_lab_need_init && _lab_nodearg "$n" || return 1
	eval "cg=\$LAB_CG$n"
	loop=$(_lab_loop "$n")
	[ ! -r "$LAB_DIR/ha$n.uts" ] || read -r uts < "$LAB_DIR/ha$n.uts"
	touch "$LAB_DIR/ha$n.off"
	[ ! -e "$cg/cgroup.kill" ] || echo 1 > "$cg/cgroup.kill"
	k=$(_lab_sweep_node "$n" "$uts")
	[ "$k" = 0 ] || _lab_log "poweroff ha$n: swept $k stray processes"
	ip -n "$(_lab_ns "$n")" link set eth0 down 2>/dev/null || true
	ip -n "$(_lab_ns "$n")" link set hb0 down 2>/dev/null || true
	# cgroup.kill on a frozen cgroup works; thaw so nothing lingers.
	[ ! -e "$cg/cgroup.freeze" ] || echo 0 > "$cg/cgroup.freeze"
	rm -f "$LAB_DIR/ha$n.frozen"
	lab_wait 5 "ha$n cgroup to empty" _lab_not_populated "$cg" || return 1
	lab_wait 2 "no process left in ha$n's namespaces" \
	    _lab_node_clean "$n" "$uts" || return 1
	if [ -n "$loop" ]; then
		lab_wait 3 "ha$n's disk to be released" \
		    _lab_loop_idle "$loop" || return 1
	fi
	rm -f "$LAB_DIR/ha$n.pid" "$LAB_DIR/ha$n.uts"
	return 0
}

_lab_not_populated()
{
	! _lab_cg_populated "$1"
}

_lab_node_clean()
{
	[ "$(_lab_sweep_node "$1" "$2")" = 0 ]
}

_lab_loop_idle()
{
	local b=${1##*/}
	[ ! -e "/sys/fs/ext4/$b" ] && [ ! -e "/sys/fs/xfs/$b" ]
}

# lab_poweron N: boot node N again: the VIP a dead node's netns kept is
# deleted, ARP cache flushed, links up (a crossover cut with lab_link_cut
# stays cut), a fresh anchor.  Waits for the anchor only: a test waits for
# whatever else it needs.
lab_poweron()
{
	local n=${1:-} ns a d
	_lab_need_init && _lab_nodearg "$n" || return 1
	if [ ! -e "$LAB_DIR/ha$n.off" ]; then
		_lab_err "lab_poweron: ha$n is not powered off"
		return 1
	fi
	ns=$(_lab_ns "$n")
	ip -n "$ns" -o -4 addr show | awk -v v="$LAB_VIP" '
	    { split($4, a, "/"); if (a[1] == v) print $2, $4 }' |
	while read -r d a; do
		ip -n "$ns" addr del "$a" dev "$d" || true
	done
	ip -n "$ns" neigh flush all 2>/dev/null || true
	ip -n "$ns" link set eth0 up || return 1
	[ -e "$LAB_DIR/cut-hb-$n" ] || ip -n "$ns" link set hb0 up || return 1
	_lab_node_start "$n" || return 1
	_lab_node_ready "$n"
}

# lab_freeze N / lab_thaw N: a hung node (cgroup.freeze): no process runs,
# the kernel still answers ping.  lab_exec refuses a frozen node.
lab_freeze()
{
	local cg
	_lab_need_init && _lab_nodearg "${1:-}" || return 1
	eval "cg=\$LAB_CG$1"
	touch "$LAB_DIR/ha$1.frozen"
	echo 1 > "$cg/cgroup.freeze" || return 1
	lab_wait 3 "ha$1 to freeze" _lab_cg_frozen "$cg"
}

lab_thaw()
{
	local cg
	_lab_need_init && _lab_nodearg "${1:-}" || return 1
	eval "cg=\$LAB_CG$1"
	echo 0 > "$cg/cgroup.freeze" || return 1
	lab_wait 3 "ha$1 to thaw" _lab_not_frozen "$cg" || return 1
	rm -f "$LAB_DIR/ha$1.frozen"
	return 0
}

_lab_not_frozen()
{
	! _lab_cg_frozen "$1"
}

# -------------------------------------------------------------- services

# lab_apache_conf [LISTEN]: $LAB_DIR/apache/httpd.conf, one file for both
# nodes (LAB.md section 6).  DocumentRoot /srv/ha/www (shared disk), the
# node's name from /srv/local/apache-node.conf (written at node start, so no
# environment is needed), /hostname.html served from the node's private
# /srv/local.  LISTEN defaults to VIP:80, which binds only where the VIP is
# (order disk -> VIP -> web, or LAB_NONLOCAL_BIND=1 at lab_setup); pass 80
# to listen everywhere.  Prints the path, also in LAB_APACHE_CONF.
lab_apache_conf()
{
	local listen=${1:-$LAB_VIP:80}
	_lab_need_init || return 1
	mkdir -p "$LAB_DIR/apache" || return 1
	LAB_APACHE_CONF=$LAB_DIR/apache/httpd.conf
	export LAB_APACHE_CONF
	cat > "$LAB_APACHE_CONF" <<EOF
# lab $LAB_PREFIX: one config for both nodes; see tests/lib/lab.sh
ServerRoot /usr/lib/apache2
Include /srv/local/apache-node.conf
ServerName \${HA_NODE}
PidFile /run/apache2-ha/httpd.pid
Mutex file:/run/apache2-ha default
DefaultRuntimeDir /run/apache2-ha
ErrorLog $LAB_DIR/\${HA_NODE}/apache-error.log
LogLevel warn
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule alias_module modules/mod_alias.so
LoadModule headers_module modules/mod_headers.so
CustomLog $LAB_DIR/\${HA_NODE}/apache-access.log "%h %t \"%r\" %>s %b"
TypesConfig /etc/mime.types
User www-data
Group www-data
Listen $listen
StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
DocumentRoot /srv/ha/www
DirectoryIndex index.html
Header always set X-HA-Node \${HA_NODE}
Alias /hostname.html /srv/local/hostname.html
<Directory />
	Require all denied
</Directory>
<Directory /srv/ha/www>
	Require all granted
</Directory>
<Directory /srv/local>
	<Files hostname.html>
		Require all granted
	</Files>
</Directory>
EOF
	echo "$LAB_APACHE_CONF"
}

# lab_apache_start N / lab_apache_stop N: apache2 -k start|stop in node N
# with lab_apache_conf's file; stop waits until the parent is gone.
lab_apache_start()
{
	[ -n "${LAB_APACHE_CONF:-}" ] || lab_apache_conf > /dev/null ||
	    return 1
	lab_exec "$1" apache2 -f "$LAB_APACHE_CONF" -k start
}

lab_apache_stop()
{
	local pid
	pid=$(lab_exec "$1" cat /run/apache2-ha/httpd.pid 2>/dev/null) ||
	    return 0
	lab_exec "$1" apache2 -f "$LAB_APACHE_CONF" -k stop || return 1
	_lab_wait_gone "$pid" 5
}

# lab_ganesha_conf: $LAB_DIR/nfs/ganesha.conf (LAB.md section 5) with
# Graceless = true (libnfs one-shot clients never end a grace period).
# Prints the path, also in LAB_GANESHA_CONF.
lab_ganesha_conf()
{
	_lab_need_init || return 1
	mkdir -p "$LAB_DIR/nfs" || return 1
	LAB_GANESHA_CONF=$LAB_DIR/nfs/ganesha.conf
	export LAB_GANESHA_CONF
	cat > "$LAB_GANESHA_CONF" <<'EOF'
NFS_CORE_PARAM {
	Protocols = 3, 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
}
NFSV4 {
	Graceless = true;
	RecoveryBackend = fs;
	RecoveryRoot = /srv/ha/.nfs-recovery;
}
EXPORT {
	Export_Id = 1;
	Path = /srv/ha/export;
	Pseudo = /export;
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = sys;
	Protocols = 3, 4;
	Transports = TCP;
	FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
EOF
	echo "$LAB_GANESHA_CONF"
}

# lab_ganesha_start N: rpcbind + ganesha.nfsd (foreground daemons, PIDs
# in $LAB_DIR/haN/rpcbind.pid, ganesha.pid) in node N, which must have the
# disk mounted.  Waits until the client's rpcinfo sees nfs through the VIP
# if node N holds it, else through the node's own address.
lab_ganesha_start()
{
	local n=${1:-} addr
	[ -n "${LAB_GANESHA_CONF:-}" ] || lab_ganesha_conf > /dev/null ||
	    return 1
	lab_exec "$n" mkdir -p /srv/ha/export /run/rpcbind || return 1
	lab_exec_bg "$n" rpcbind.log rpcbind -f -w > "$LAB_DIR/ha$n/rpcbind.pid" ||
	    return 1
	lab_exec_bg "$n" ganesha.out ganesha.nfsd -F -f "$LAB_GANESHA_CONF" \
	    -L "$LAB_DIR/ha$n/ganesha.log" -N NIV_EVENT -p /run/ganesha.pid \
	    > "$LAB_DIR/ha$n/ganesha.pid" || return 1
	addr=$LAB_VIP
	lab_vip_on "$n" || eval "addr=\$LAB_IP$n"
	lab_wait 10 "ganesha on ha$n" _lab_rpc_nfs "$addr"
}

_lab_rpc_nfs()
{
	timeout 2 ip netns exec "$LAB_NS0" rpcinfo -p "$1" 2>/dev/null |
	    grep -qw nfs
}

lab_ganesha_stop()
{
	local n=${1:-} f pid
	_lab_nodearg "$n" || return 1
	for f in ganesha rpcbind; do
		[ -r "$LAB_DIR/ha$n/$f.pid" ] || continue
		read -r pid < "$LAB_DIR/ha$n/$f.pid" || continue
		_lab_kill_pidfile "$LAB_DIR/ha$n/$f.pid" TERM
		_lab_wait_gone "$pid" 5 ||
		    _lab_kill_pidfile "$LAB_DIR/ha$n/$f.pid" KILL
		rm -f "$LAB_DIR/ha$n/$f.pid"
	done
	return 0
}

# lab_snmpd_conf: $LAB_DIR/snmp/snmpd.conf (per node: AgentX master on the
# node-private /run/agentx/master, traps to the client) and snmptrapd.conf
# (LAB.md section 10).  No sysName: it then reports the node's hostname.
lab_snmpd_conf()
{
	_lab_need_init || return 1
	mkdir -p "$LAB_DIR/snmp" || return 1
	LAB_SNMPD_CONF=$LAB_DIR/snmp/snmpd.conf
	LAB_SNMPTRAPD_CONF=$LAB_DIR/snmp/snmptrapd.conf
	LAB_TRAPLOG=$LAB_DIR/snmp/traps.log
	export LAB_SNMPD_CONF LAB_SNMPTRAPD_CONF LAB_TRAPLOG
	cat > "$LAB_SNMPD_CONF" <<EOF
agentAddress  udp:161
master        agentx
agentXSocket  /run/agentx/master
agentXPerms   0660 0750 root root
rocommunity   public  $LAB_NET.0/24
rocommunity   public  127.0.0.1
trap2sink     $LAB_IP0:162 public
${LAB_SNMPD_EXTRA:-}
EOF
	cat > "$LAB_SNMPTRAPD_CONF" <<'EOF'
disableAuthorization yes
format2 TRAP %B [%b] %V|%v\n
EOF
	echo "$LAB_SNMPD_CONF"
}

# lab_snmpd_start N: snmpd -f in node N (PID in $LAB_DIR/haN/snmpd.pid,
# log $LAB_DIR/haN/snmpd.log); waits for the AgentX socket.
lab_snmpd_start()
{
	local n=${1:-}
	[ -n "${LAB_SNMPD_CONF:-}" ] || lab_snmpd_conf > /dev/null || return 1
	lab_exec "$n" mkdir -p /run/agentx || return 1
	# its persistent state stays in the lab, not the host's /var/lib/snmp
	lab_exec_bg "$n" snmpd.out env \
	    SNMP_PERSISTENT_DIR="$LAB_DIR/ha$n/snmp-persist" \
	    snmpd -f -C -c "$LAB_SNMPD_CONF" \
	    -Lf "$LAB_DIR/ha$n/snmpd.log" -p /run/snmpd.pid \
	    > "$LAB_DIR/ha$n/snmpd.pid" || return 1
	lab_wait 5 "snmpd AgentX socket on ha$n" \
	    lab_exec "$n" test -S /run/agentx/master
}

# lab_snmptrapd_start: snmptrapd in the client on 10.88.0.10:162, writing
# to $LAB_TRAPLOG; PID in $LAB_DIR/snmptrapd.pid (killed by teardown).
lab_snmptrapd_start()
{
	[ -n "${LAB_SNMPD_CONF:-}" ] || lab_snmpd_conf > /dev/null || return 1
	: > "$LAB_TRAPLOG"
	_lab_bg "$LAB_DIR/snmp/snmptrapd.out" "$LAB_CGI" \
	    ip netns exec "$LAB_NS0" snmptrapd -f -C -c "$LAB_SNMPTRAPD_CONF" \
	    -On -Lf "$LAB_TRAPLOG" "udp:$LAB_IP0:162"
	echo "$_lab_pid" > "$LAB_DIR/snmptrapd.pid"
	lab_wait 5 "snmptrapd on $LAB_IP0:162" _lab_udp_bound 0 162
}

# _lab_udp_bound NS PORT: something listens on UDP PORT in namespace NS.
_lab_udp_bound()
{
	nsenter --net="/run/netns/${LAB_PREFIX}$1" ss -Hlun "sport = :$2" |
	    grep -q .
}

# ------------------------------------------------------------- sampler

# lab_sampler_start NAME [PERIOD_MS]: record every PERIOD_MS (default 50)
# who holds the VIP and who has the disk mounted, to
# $LAB_DIR/sample-NAME.log (tests/tools/lab-sampler.c).  Returns when the
# first sample is written.
lab_sampler_start()
{
	local name=${1:-} per=${2:-50} log
	_lab_need_init || return 1
	case $name in ''|*[!a-zA-Z0-9_-]*) _lab_err "lab_sampler_start: bad NAME"; return 1 ;; esac
	if [ ! -x "$LAB_TOOLS/lab-sampler" ]; then
		_lab_err "lab_sampler_start: $LAB_TOOLS/lab-sampler not built (make check, or lab_build_tools)"
		return 1
	fi
	log=$LAB_DIR/sample-$name.log
	rm -f "$log"
	_lab_bg "$LAB_DIR/sample-$name.err" "$LAB_CGI" "$LAB_TOOLS/lab-sampler" \
	    -i "$per" "$LAB_DIR" "$LAB_NS1" "$LAB_NS2" "$LAB_VIP" "$log"
	echo "$_lab_pid" > "$LAB_DIR/sampler-$name.pid"
	lab_wait 2 "sampler $name to start" _lab_has_sample "$log"
}

_lab_has_sample()
{
	grep -q '^[0-9]' "$1" 2>/dev/null
}

# lab_sampler_stop NAME: stop the sampler; print its summary (achieved
# period) on stderr; return 1 and print the offending samples if any sample
# had the VIP on both nodes or the disk mounted on both, or if the sampler
# did not run to the end.
lab_sampler_stop()
{
	local name=${1:-} log pid bad n
	_lab_need_init || return 1
	log=$LAB_DIR/sample-$name.log
	if [ ! -r "$LAB_DIR/sampler-$name.pid" ]; then
		_lab_err "lab_sampler_stop: no sampler '$name'"
		return 1
	fi
	read -r pid < "$LAB_DIR/sampler-$name.pid"
	_lab_kill_pidfile "$LAB_DIR/sampler-$name.pid" TERM
	_lab_wait_gone "$pid" 3 || _lab_kill_pidfile \
	    "$LAB_DIR/sampler-$name.pid" KILL
	rm -f "$LAB_DIR/sampler-$name.pid"
	if ! grep -q '^# summary' "$log" 2>/dev/null; then
		_lab_err "sampler $name: no summary, it did not run to the end"
		cat "$LAB_DIR/sample-$name.err" >&2 2>/dev/null || true
		return 1
	fi
	_lab_err "sampler $name: $(sed -n 's/^# summary //p' "$log")"
	bad=$(awk '!/^#/ && (($2 == "ha1_vip=1" && $3 == "ha2_vip=1") ||
	    ($4 == "ha1_mnt=1" && $5 == "ha2_mnt=1"))' "$log")
	if [ -n "$bad" ]; then
		n=$(printf '%s\n' "$bad" | wc -l)
		_lab_err "sampler $name: SAFETY VIOLATION in $n samples" \
		    "(VIP or disk on both nodes), first ones (T_ms since start):"
		printf '%s\n' "$bad" | head -n 20 | sed 's/^/lab:   /' >&2
		return 1
	fi
	return 0
}

# ------------------------------------------------------------- teardown

# lab_teardown: LAB.md section 11, idempotent, also run by lab_setup first.
lab_teardown()
{
	local i f pid uts ns
	[ -n "${LAB_PREFIX:-}" ] || return 0
	# 1. The lab's cgroups: nodes, helpers, client jobs; fork-proof.
	if [ -d "$LAB_CG" ]; then
		for i in "$LAB_CG"/*/; do
			[ ! -e "${i}cgroup.freeze" ] ||
			    echo 0 > "${i}cgroup.freeze" 2>/dev/null || true
		done
		echo 1 > "$LAB_CG/cgroup.kill" 2>/dev/null || true
	fi
	# 2. PIDs in pid files, only if they still belong to the lab.
	if [ -d "$LAB_DIR" ]; then
		for f in "$LAB_DIR"/*.pid "$LAB_DIR"/*/*.pid; do
			_lab_kill_pidfile "$f" KILL
		done
		if [ -r "$LAB_DIR/bg.pids" ]; then
			while read -r pid; do
				! _lab_pid_is_ours "$pid" ||
				    kill -KILL "$pid" 2>/dev/null || true
			done < "$LAB_DIR/bg.pids"
		fi
		# 3a. Anything still in the nodes' UTS namespaces.
		for i in 1 2; do
			[ -r "$LAB_DIR/ha$i.uts" ] || continue
			read -r uts < "$LAB_DIR/ha$i.uts" || continue
			for pid in $(_lab_uts_pids "$uts"); do
				[ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null ||
				    true
			done
		done
	fi
	# 3b. Anything still in the lab's network namespaces.
	for i in 0 1 2 3; do
		ns=${LAB_PREFIX}$i
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null || true
		done
	done
	if [ -d "$LAB_CG" ]; then
		lab_wait 5 "lab cgroup $LAB_CG to empty" _lab_not_populated \
		    "$LAB_CG" || true
	fi
	# 4. Loop devices backed by the lab's image (also when deleted).
	_lab_disk_detach
	# 5. cgroup dirs, children first.
	if [ -d "$LAB_CG" ]; then
		for i in "$LAB_CG"/*/; do
			[ ! -d "$i" ] || rmdir "$i" 2>/dev/null || true
		done
		rmdir "$LAB_CG" 2>/dev/null ||
		    _lab_err "teardown: cannot remove $LAB_CG"
	fi
	# 6. Namespaces (veths and the bridge go with them).
	for i in 0 1 2 3; do
		ns=${LAB_PREFIX}$i
		[ ! -e "/run/netns/$ns" ] || ip netns del "$ns" 2>/dev/null ||
		    _lab_err "teardown: cannot delete netns $ns"
	done
	# 7. The state dir (LAB_DIR was validated by lab_init: /tmp/PREFIX).
	case $LAB_DIR in
	/tmp/?*) rm -rf "$LAB_DIR" ;;
	esac
	LAB_LOOP1=
	LAB_LOOP2=
	return 0
}

# lab_snapshot: write addresses, links, neighbours, processes and nft
# rules of every namespace to $LAB_DIR/state.txt (for post-mortems).
lab_snapshot()
{
	local i
	[ -d "${LAB_DIR:-}" ] || return 0
	# A subshell without set -e: a failing command must not end a
	# post-mortem (or the caller, under set -e).
	(
		set +e
		for i in 0 1 2 3; do
			[ -e "/run/netns/${LAB_PREFIX}$i" ] || continue
			echo "=== ${LAB_PREFIX}$i"
			ip -n "${LAB_PREFIX}$i" -br addr
			ip -n "${LAB_PREFIX}$i" neigh
			nsenter --net="/run/netns/${LAB_PREFIX}$i" nft list ruleset
			for pid in $(ip netns pids "${LAB_PREFIX}$i"); do
				ps -o pid=,stat=,args= -p "$pid"
			done
		done
		for i in 1 2; do
			echo "=== cgroup node$i"
			eval "cat \"\$LAB_CG$i/cgroup.procs\"" 2>/dev/null |
			    while read -r pid; do
				ps -o pid=,stat=,args= -p "$pid"
			done
		done
		true
	) > "$LAB_DIR/state.txt" 2>&1 || true
	return 0
}

# lab_keep_logs: copy $LAB_DIR (images excepted) to
# ${LAB_KEEP_LOGS:-/tmp/PREFIX-logs} and say where.
lab_keep_logs()
{
	local dest=${LAB_KEEP_LOGS:-/tmp/${LAB_PREFIX}-logs}
	[ -d "${LAB_DIR:-}" ] || return 0
	lab_snapshot
	rm -rf "$dest"
	mkdir -p "$dest" &&
	    tar -C "$LAB_DIR" --exclude='*.img' --exclude=mnt -cf - . 2>/dev/null |
	    tar -C "$dest" -xf - 2>/dev/null || true
	_lab_err "logs kept in $dest"
	return 0
}

_lab_exit_trap()
{
	local rc=$?
	trap - EXIT
	trap '' INT TERM HUP
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		lab_keep_logs
	fi
	lab_teardown
	exit "$rc"
}

_lab_sig_trap()
{
	_lab_err "caught signal, tearing down"
	exit "$1"
}

# lab_trap: teardown on every exit, INT/TERM/HUP included; on a non-zero
# exit (77 = skip excepted) the logs are kept first.
lab_trap()
{
	trap _lab_exit_trap EXIT
	trap '_lab_sig_trap 130' INT
	trap '_lab_sig_trap 143' TERM
	trap '_lab_sig_trap 129' HUP
}

# lab_build_tools: compile tests/tools/*.c into $LAB_TOOLS with plain cc if
# they are not there (standalone runs; make check builds them itself).
# Sources from ${LAB_SRCDIR:-$srcdir}.
lab_build_tools()
{
	local src=${LAB_SRCDIR:-${srcdir:-.}}/tests/tools
	_lab_need_init || return 1
	mkdir -p "$LAB_TOOLS" || return 1
	LAB_TOOLS=$(cd "$LAB_TOOLS" && pwd)
	if [ ! -x "$LAB_TOOLS/nfq-delay" ]; then
		cc -O2 -Wall -o "$LAB_TOOLS/nfq-delay" "$src/nfq-delay.c" \
		    -lnetfilter_queue -lnfnetlink || return 1
	fi
	if [ ! -x "$LAB_TOOLS/lab-sampler" ]; then
		cc -O2 -Wall -o "$LAB_TOOLS/lab-sampler" "$src/lab-sampler.c" ||
		    return 1
	fi
	return 0
}
