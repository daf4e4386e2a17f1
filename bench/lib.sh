# bench/lib.sh - the two stacks on the lab, behind one set of functions.
# Sourced by bench/run.sh after tests/lib/lab.sh (and, for hbd,
# tests/lib/hbd.sh).  Not part of make check.
#
#	st_use hbd|hb		pick the stack before lab_setup
#	st_conf KA WT DT ID	the same ha.cf/haresources/authkeys for both
#	st_start N / st_stop N / st_kill9 N / st_standby N / st_takeover N
#	st_peer_active N	node N sees the peer active
#	st_daemon_pids N	the daemon's processes in node N (host PIDs)
#
# hbd nodes are the lab's own (tests/lib/lab.sh, unchanged).  heartbeat
# nodes follow LAB.md §12: besides the lab's netns, UTS and mount namespace
# each gets its own IPC and PID namespace with bench-reaper as PID 1, and
# per-node copies of /etc/ha.d, /var/lib/heartbeat and /var/log bind-mounted
# over the host's, a tmpfs /run, and a refusing stub over systemctl and
# systemd.  heartbeat runs `pkill -9 heartbeat` and `reboot -nf` on failure
# paths: in its own PID namespace both reach only that node.  The lab's
# functions are reused; only _lab_node_start, _lab_node_ready and the
# nsenter wrapper are replaced while the stack is heartbeat (copies adapted
# here, tests/lib/lab.sh itself is untouched).
#
# Both stacks run the same group, "IPaddr::VIP/24/eth0 lighttpd-ha":
# heartbeat's own IPaddr (resource-agents) and hbd's IPaddr agent, and one
# heartbeat-style lighttpd script (bench_lighttpd_files) for both.
# With BENCH_GROUP=seed (run.sh's "seed" profile) the group is the demo's,
# the seed's stack: VIP, ext4 on the lab's shared disk (MMP), apache2 and
# an nfs-ganesha export; see st_conf.

ST=
BENCH_GROUP=${BENCH_GROUP:-lighttpd}
BENCH_TOOLS=${BENCH_TOOLS:-/var/tmp/hbd-bench/tools}
HB_INIT=/etc/init.d/heartbeat
HB_SHARE=/usr/share/heartbeat

# ------------------------------------------------------------ heartbeat nodes

# Copy of lab.sh's §3 wrapper with -p -i added: heartbeat's processes must
# live in the node's PID namespace (nsenter forks for -p; the command is its
# child, in the node's cgroup like the rest).
_BENCH_WRAP_PID='cg=$1 pid=$2 uts=$3
shift 3
if [ "$(readlink "/proc/$pid/ns/uts" 2>/dev/null)" != "$uts" ]; then
	echo "lab: node anchor $pid is gone" >&2
	exit 125
fi
echo $$ > "$cg/cgroup.procs" || exit 125
exec nsenter -t "$pid" -n -u -m -i -p --wd=/ -- "$@"'

# The node's private directories, made once per lab and kept across power
# cycles (heartbeat's generation number and uuid live there, as on a disk).
_bench_hb_node_dirs()
{
	local n=$1 d=$LAB_DIR/ha$1
	[ -d "$d/etc-ha.d" ] && return 0
	mkdir -p "$d/var-log" "$d/conf" || return 1
	cp -a /etc/ha.d "$d/etc-ha.d" || return 1
	cp -a /var/lib/heartbeat "$d/var-lib-hb" || return 1
	rm -f "$d/var-lib-hb/hb_uuid" "$d/var-lib-hb/hostcache" \
	    "$d/var-lib-hb/delhostcache" "$d/var-lib-hb/hb_generation"
	printf '#!/bin/sh\necho "bench: no systemd in a lab node" >&2\nexit 1\n' \
	    > "$LAB_DIR/systemctl-stub"
	chmod 755 "$LAB_DIR/systemctl-stub"
}

# Replaces lab.sh's _lab_node_start for heartbeat nodes: unshare adds
# --ipc --pid --fork --mount-proc; the inner shell makes the node's
# private mounts and execs the reaper.  ha$n.pid is written by
# _lab_node_ready (the reaper's host PID, child of unshare).
_bench_hb_node_start()
{
	local n=$1 cg
	eval "cg=\$LAB_CG$n"
	rm -f "$LAB_DIR/ha$n.pid" "$LAB_DIR/ha$n.uts" "$LAB_DIR/ha$n.off" \
	    "$LAB_DIR/ha$n.frozen" "$LAB_DIR/ha$n.unshare"
	mkdir -p "$cg" "$LAB_DIR/ha$n" || return 1
	_bench_hb_node_dirs "$n" || return 1
	_lab_bg "$LAB_DIR/ha$n/anchor.log" "$cg" \
	    ip netns exec "${LAB_PREFIX}$n" unshare --uts --ipc --mount --pid \
	    --fork --mount-proc -- sh -c '
		n=$1 dir=$2 p=$3 reaper=$4 loop=$5
		set -e
		hostname "ha$n"
		mount -t tmpfs -o mode=755,size=16m "$p-run" /run
		mkdir -p /run/lock/subsys /run/heartbeat/ccm /run/heartbeat/crm \
		    /run/heartbeat/dopd /run/crm /run/apache2-ha /run/rpcbind
		chown -R hacluster:haclient /run/heartbeat /run/crm
		chmod 750 /run/heartbeat /run/crm
		mount -t tmpfs -o mode=755,size=4m "$p-srv" /srv
		mkdir -p /srv/ha /srv/local
		echo "ha$n" > /srv/local/hostname.html
		# the seed group (lab.sh does the same in its own nodes)
		echo "Define HA_NODE ha$n" > /srv/local/apache-node.conf
		[ -z "$loop" ] || ln -s "$loop" /srv/disk
		mount --bind "$dir/hosts" /etc/hosts
		mount --bind "$dir/ha$n/etc-ha.d" /etc/ha.d
		mount --bind "$dir/ha$n/var-lib-hb" /var/lib/heartbeat
		mount --bind "$dir/ha$n/var-log" /var/log
		mount --bind "$dir/systemctl-stub" /usr/bin/systemctl
		[ ! -e /lib/systemd/systemd ] ||
		    mount --bind "$dir/systemctl-stub" /lib/systemd/systemd
		exec "$reaper"' _ "$n" "$LAB_DIR" "$LAB_PREFIX" \
	    "$BENCH_TOOLS/bench-reaper" "$(_lab_loop "$n")"
	echo "$_lab_pid" > "$LAB_DIR/ha$n.unshare"
	return 0
}

_bench_hb_anchor_up()
{
	local u c
	read -r u < "$LAB_DIR/ha$1.unshare" || return 1
	c=$(cat "/proc/$u/task/$u/children" 2>/dev/null) || return 1
	c=${c%% *}
	[ -n "$c" ] || return 1
	[ "$(readlink "/proc/$c/exe" 2>/dev/null)" = \
	    "$BENCH_TOOLS/bench-reaper" ] || return 1
	echo "$c" > "$LAB_DIR/ha$1.pid"
}

_bench_hb_node_ready()
{
	local n=$1 pid uts
	if ! lab_wait 5 "node ha$n anchor" _bench_hb_anchor_up "$n"; then
		sed 's/^/lab: anchor: /' "$LAB_DIR/ha$n/anchor.log" >&2
		return 1
	fi
	read -r pid < "$LAB_DIR/ha$n.pid"
	uts=$(readlink "/proc/$pid/ns/uts") || return 1
	[ "$uts" != "$(readlink /proc/$$/ns/uts)" ] || return 1
	echo "$uts" > "$LAB_DIR/ha$n.uts"
}

# st_use hbd|hb: select the stack, before lab_setup.  One stack per
# process: run.sh runs every lab in a process of its own.
st_use()
{
	ST=$1
	if [ "$ST" = hb ]; then
		_LAB_WRAP=$_BENCH_WRAP_PID
		_lab_node_start() { _bench_hb_node_start "$@"; }
		_lab_node_ready() { _bench_hb_node_ready "$@"; }
	fi
	return 0
}

# ------------------------------------------------------------ configuration

# bench_lighttpd_files: lighttpd config (one file for both nodes, document
# root the node's private /srv/local with hostname.html) and the
# heartbeat-style resource script lighttpd-ha start|stop|status.
bench_lighttpd_files()
{
	mkdir -p "$LAB_DIR/www" && chmod 755 "$LAB_DIR/www"
	cat > "$LAB_DIR/lighttpd.conf" <<EOF
server.document-root = "/srv/local"
server.port = 80
server.bind = "0.0.0.0"
server.pid-file = "/run/lighttpd-ha.pid"
server.errorlog = "/run/lighttpd-ha.err"
server.max-keep-alive-requests = 0
server.max-worker = 0
index-file.names = ( "hostname.html" )
mimetype.assign = ( ".html" => "text/html" )
EOF
	cat > "$LAB_DIR/lighttpd-ha" <<EOF
#!/bin/sh
# lighttpd-ha start|stop|status: heartbeat-style resource script (status
# prints running / stopped).  Generated by bench/lib.sh.
CONF=$LAB_DIR/lighttpd.conf
PIDF=/run/lighttpd-ha.pid
EOF
	cat >> "$LAB_DIR/lighttpd-ha" <<'EOF'
alive() {
	[ -r /proc/$1/stat ] || return 1
	s=$(sed 's/.*) \(.\).*/\1/' /proc/$1/stat 2>/dev/null)
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}
getpid() { pid=; [ -r $PIDF ] && read -r pid < $PIDF; [ -n "$pid" ]; }
case $1 in
start)
	if getpid && alive $pid; then exit 0; fi
	/usr/sbin/lighttpd -f $CONF || exit 1
	i=0
	while ! getpid; do
		i=$((i + 1)); [ $i -lt 500 ] || exit 1; sleep 0.01
	done
	exit 0 ;;
stop)
	getpid || exit 0
	kill -TERM $pid 2>/dev/null
	i=0
	while alive $pid; do
		i=$((i + 1))
		[ $i -lt 500 ] || { kill -KILL $pid 2>/dev/null; break; }
		sleep 0.01
	done
	rm -f $PIDF
	exit 0 ;;
status|monitor)
	if getpid && alive $pid; then echo running; exit 0; fi
	echo stopped; exit 3 ;;
*)	echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
EOF
	chmod 755 "$LAB_DIR/lighttpd-ha"
}

# bench_seed_files: the demo's shared disk (ext4 with MMP, one loop device
# per node), apache2's and ganesha's configuration (tests/lib/lab.sh), and
# the haresources line of the seed's stack.  heartbeat runs its own IPaddr
# and Filesystem (resource.d wrappers of resource-agents' OCF agents), hbd
# its own.  The web server and the export run hbd's httpd and nfsserver
# agents on both stacks (heartbeat-form resource.d scripts, copied into
# heartbeat's resource.d), as the lighttpd group shares one script:
# heartbeat ships no nfs-ganesha agent, and resource-agents' apache failed
# every start in the lab (its check fell back to "curl --interface lo" to
# the VIP, which never connects, and gave up after 5 s; not pursued).
bench_seed_files()
{
	lab_disk_create ext4 > /dev/null || return 1
	# the demo's index.html on the shared disk, as scripts/demo.sh does
	unshare --mount --propagation private sh -c '
	    mount "$1" "$2" && cp "$3" "$2/www/index.html"; rc=$?
	    umount "$2"; exit $rc' _ "$LAB_LOOP1" "$LAB_DIR/mnt" \
	    "${srcdir:?}/demo/www/index.html" || return 1
	lab_apache_conf > /dev/null || return 1
	lab_ganesha_conf > /dev/null || return 1
	BENCH_HARESOURCES="ha1 IPaddr::$LAB_VIP/$LAB_PLEN/eth0 Filesystem::/srv/disk::/srv/ha::ext4 httpd::$LAB_APACHE_CONF nfsserver::ganesha::$LAB_GANESHA_CONF"
}

# st_conf KEEPALIVE WARNTIME DEADTIME INITDEAD: one ha.cf, haresources and
# authkeys, identical for both stacks except the log file's path (and, for
# the seed group, the web server's agent: see bench_seed_files).
st_conf()
{
	local n d log peer_ip peer_hb
	bench_lighttpd_files || return 1
	BENCH_HARESOURCES="ha1 IPaddr::$LAB_VIP/$LAB_PLEN/eth0 lighttpd-ha"
	if [ "$BENCH_GROUP" = seed ]; then
		bench_seed_files || return 1
	fi
	for n in 1 2; do
		if [ "$ST" = hb ]; then
			_bench_hb_node_dirs "$n" || return 1
			d=$LAB_DIR/ha$n/etc-ha.d
			log=/var/log/ha-log
		else
			d=$LAB_DIR/ha$n/conf
			mkdir -p "$d/resource.d" "$LAB_DIR/ha$n/state"
			log=$LAB_DIR/ha$n/ha-log
		fi
		mkdir -p "$d/resource.d"
		# Only the peer's addresses: heartbeat does not skip a ucast
		# line naming its own address (it would run a reader and a
		# writer for it); hbd would skip it.
		eval "peer_ip=\$LAB_IP$((3 - n)) peer_hb=\$LAB_HB$((3 - n))"
		cat > "$d/ha.cf" <<EOF
# bench/lib.sh: the same settings for heartbeat and hbd
keepalive $1
warntime $2
deadtime $3
initdead $4
udpport 694
ucast eth0 $peer_ip
ucast hb0 $peer_hb
auto_failback on
node $LAB_NODE1 $LAB_NODE2
logfile $log
EOF
		echo "$BENCH_HARESOURCES" > "$d/haresources"
		printf 'auth 1\n1 sha1 bench-lab-secret-0123456789\n' \
		    > "$d/authkeys"
		chmod 600 "$d/authkeys"
		cp "$LAB_DIR/lighttpd-ha" "$d/resource.d/lighttpd-ha"
		if [ "$ST" = hb ] && [ "$BENCH_GROUP" = seed ]; then
			cp "$srcdir/agents/nfsserver" "$srcdir/agents/httpd" \
			    "$srcdir/agents/hbd-agent-lib.sh" "$d/resource.d/" ||
			    return 1
		fi
		if [ "$ST" = hbd ] && ! "$HBD" -n -c "$d" -N "ha$n" \
		    > "$LAB_DIR/ha$n/check.log" 2>&1; then
			cat "$LAB_DIR/ha$n/check.log" >&2
			return 1
		fi
	done
	return 0
}

# ------------------------------------------------------------ actions

st_start()
{
	case $ST in
	hbd) hbd_start "$1" > /dev/null ;;
	hb) lab_exec "$1" "$HB_INIT" start > "$LAB_DIR/ha$1/init.log" 2>&1 ;;
	esac
}

st_stop()
{
	case $ST in
	hbd) hbd_stop "$1" 60 > /dev/null ;;
	hb) lab_exec "$1" "$HB_INIT" stop >> "$LAB_DIR/ha$1/init.log" 2>&1 ;;
	esac
}

st_standby()
{
	case $ST in
	hbd) hbctl_n "$1" standby > /dev/null ;;
	hb) lab_exec "$1" "$HB_SHARE/hb_standby" > /dev/null 2>&1 ;;
	esac
}

st_takeover()
{
	case $ST in
	hbd) hbctl_n "$1" takeover > /dev/null ;;
	hb) lab_exec "$1" "$HB_SHARE/hb_takeover" > /dev/null 2>&1 ;;
	esac
}

# Host PIDs of the daemon's processes in node N (comm hbd or heartbeat).
st_daemon_pids()
{
	local cg p c
	eval "cg=\$LAB_CG$1"
	[ -r "$cg/cgroup.procs" ] || return 0
	while read -r p; do
		c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		case $c in hbd|heartbeat) echo "$p" ;; esac
	done < "$cg/cgroup.procs"
}

# The daemon's main process in node N: hbd, or heartbeat's master control
# process (found by its process title).
st_master_pid()
{
	local p
	if [ "$ST" = hbd ]; then
		hbd_pid "$1"
		return
	fi
	for p in $(st_daemon_pids "$1"); do
		case $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) in
		*"master control process"*) echo "$p"; return 0 ;;
		esac
	done
	return 1
}

st_kill9()
{
	local p
	p=$(st_master_pid "$1") || return 1
	[ -n "$p" ] || return 1
	kill -KILL "$p"
}

st_running()
{
	[ -n "$(st_master_pid "$1" 2>/dev/null)" ]
}

# st_peer_active N: node N's daemon sees the other node active.
st_peer_active()
{
	local peer=ha$((3 - $1))
	case $ST in
	hbd) hbd_node_is "$1" "$peer" active ;;
	hb) [ "$(lab_exec "$1" cl_status nodestatus "$peer" 2>/dev/null)" = \
	    active ] ;;
	esac
}

# Counters for the stress run: "late dead" seen by node N since its start.
st_counts()
{
	local n=$1 s
	case $ST in
	hbd)
		s=$(hbd_status "$n") || { echo "? ?"; return; }
		printf '%s %s\n' \
		    "$(echo "$s" | jq '.counters.late_heartbeats')" \
		    "$(echo "$s" | jq '[.nodes[] | select(.local == false and .type == "normal") | .dead_count] | add')" ;;
	hb)
		printf '%s %s\n' \
		    "$(grep -c 'Late heartbeat' "$LAB_DIR/ha$n/var-log/ha-log" 2>/dev/null)" \
		    "$(grep -c 'is dead' "$LAB_DIR/ha$n/var-log/ha-log" 2>/dev/null)" ;;
	esac
}

st_log()
{
	case $ST in
	hbd) echo "$LAB_DIR/ha$1/ha-log" ;;
	hb) echo "$LAB_DIR/ha$1/var-log/ha-log" ;;
	esac
}
