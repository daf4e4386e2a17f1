# shellcheck shell=bash
# tests/lib/heartbeat.sh - Debian's heartbeat 3.0.6 on chosen lab nodes,
# beside hbd on the others (issue 20: rolling migration).  Source after
# tests/lib/lab.sh and lab_init, before lab_setup; bash (declare -f).
#
#	hblab_use 1		# ha1 runs heartbeat, ha2 stays an hbd node
#	lab_setup
#	hblab_conf 1 DIR	# copy ha.cf, haresources, authkeys from DIR
#	hblab_start 1 / hblab_stop 1 / hblab_kill9 1
#	hblab_standby 1 / hblab_takeover 1
#	hblab_nodestatus 1 ha2	# cl_status nodestatus ha2 on ha1
#	hblab_plain 2		# ha2 boots as an hbd node from now on
#
# A heartbeat node is bench/lib.sh's (LAB.md section 12): its own UTS,
# IPC, mount and PID namespace with bench-reaper as PID 1, per-node copies
# of /etc/ha.d, /var/lib/heartbeat and /var/log, a tmpfs /run, a refusing
# systemctl stub.  The functions are reused from bench/lib.sh; what is
# added here is the choice per node (bench runs one stack per lab), and a
# wrapper that enters the PID and IPC namespace only when the node has
# its own.

# shellcheck source=../../bench/lib.sh
. "${srcdir:?}/bench/lib.sh"

HBLAB_NODES=
BENCH_TOOLS=${HBLAB_TOOLS:-${LAB_TOOLS:?lab_init first}}

# lab.sh's wrapper, entering -i -p as well when the anchor lives in a PID
# namespace of its own (a heartbeat node); an hbd node is entered exactly
# as lab.sh does.
_HBLAB_WRAP='cg=$1 pid=$2 uts=$3
shift 3
if [ "$(readlink "/proc/$pid/ns/uts" 2>/dev/null)" != "$uts" ]; then
	echo "lab: node anchor $pid is gone" >&2
	exit 125
fi
echo $$ > "$cg/cgroup.procs" || exit 125
if [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
then
	exec nsenter -t "$pid" -n -u -m -i -p --wd=/ -- "$@"
fi
exec nsenter -t "$pid" -n -u -m --wd="$PWD" -- "$@"'

# hblab_use N...: these nodes run heartbeat (before lab_setup).  Builds
# bench-reaper into $BENCH_TOOLS if needed.
hblab_use()
{
	HBLAB_NODES=" $* "
	mkdir -p "$BENCH_TOOLS" || return 1
	if [ ! -x "$BENCH_TOOLS/bench-reaper" ]; then
		cc -O2 -Wall -o "$BENCH_TOOLS/bench-reaper" \
		    "$srcdir/bench/reaper.c" || return 1
	fi
	eval "_hblab_plain_start() $(declare -f _lab_node_start | tail -n +2)"
	eval "_hblab_plain_ready() $(declare -f _lab_node_ready | tail -n +2)"
	_lab_node_start() {
		case $HBLAB_NODES in
		*" $1 "*) _bench_hb_node_start "$@" ;;
		*) _hblab_plain_start "$@" ;;
		esac
	}
	_lab_node_ready() {
		case $HBLAB_NODES in
		*" $1 "*) _bench_hb_node_ready "$@" ;;
		*) _hblab_plain_ready "$@" ;;
		esac
	}
	_LAB_WRAP=$_HBLAB_WRAP
	return 0
}

# hblab_plain N: node N boots as a plain lab node (hbd) from its next
# lab_poweron on (a node switched from heartbeat to hbd).
hblab_plain()
{
	local n w=
	for n in $HBLAB_NODES; do
		[ "$n" = "$1" ] || w="$w $n"
	done
	HBLAB_NODES="$w "
}

# hblab_conf N DIR: DIR's ha.cf, haresources, authkeys (and resource.d/)
# become node N's /etc/ha.d files.
hblab_conf()
{
	local d=$LAB_DIR/ha$1/etc-ha.d
	_bench_hb_node_dirs "$1" || return 1
	cp "$2/ha.cf" "$2/haresources" "$2/authkeys" "$d/" || return 1
	chmod 600 "$d/authkeys"
	[ ! -d "$2/resource.d" ] || cp -a "$2/resource.d/." "$d/resource.d/"
}

hblab_start()	{ lab_exec "$1" "$HB_INIT" start >> "$LAB_DIR/ha$1/init.log" 2>&1; }
hblab_stop()	{ lab_exec "$1" "$HB_INIT" stop >> "$LAB_DIR/ha$1/init.log" 2>&1; }
hblab_standby()	{ lab_exec "$1" "$HB_SHARE/hb_standby" >> "$LAB_DIR/ha$1/init.log" 2>&1; }
hblab_takeover() { lab_exec "$1" "$HB_SHARE/hb_takeover" >> "$LAB_DIR/ha$1/init.log" 2>&1; }
hblab_log()	{ echo "$LAB_DIR/ha$1/var-log/ha-log"; }

# hblab_kill9 N: SIGKILL to heartbeat's master control process in node N.
hblab_kill9()
{
	local p c cg
	eval "cg=\$LAB_CG$1"
	while read -r p; do
		c=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || continue
		case $c in
		*"master control process"*) kill -KILL "$p"; return 0 ;;
		esac
	done < "$cg/cgroup.procs"
	return 1
}

# hblab_nodestatus N NODE: heartbeat's view of NODE from node N
hblab_nodestatus()
{
	lab_exec "$1" cl_status nodestatus "$2" 2>/dev/null
}

hblab_node_is()	{ [ "$(hblab_nodestatus "$1" "$2")" = "$3" ]; }
