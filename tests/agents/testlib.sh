# testlib.sh - helpers shared by the resource agent tests (sourced, POSIX sh).
#
# Owns: skip/fail reporting (exit 0 pass, 1 fail, 77 skip), checked agent
# calls with a time limit, the per-test temporary directory, network
# namespaces and "anchor" processes (a mount namespace, optionally with a
# private /run, kept alive by a sleep), and the teardown of everything a test
# registered, run on every exit.  Must not: touch anything it did not create,
# kill processes by name, or send traffic outside the namespaces it made.

: "${srcdir:=$(dirname "$0")/../..}"
# shellcheck disable=SC2034 # AGENTS, IN and the like are for the tests
AGENTS=$(cd "$srcdir/agents" && pwd) || {
	echo "FAIL: no agents directory under srcdir=$srcdir"
	exit 1
}
T_NAME=$(basename "$0" .test)
T_FAILS=0
T_TMP=
T_NETNS=
T_ANCHORS=
T_IMAGES=
T_EXTRA_PIDS=
T_CALL_LIMIT=60

# --- reporting -------------------------------------------------------------

t_skip()
{
	echo "SKIP: $*"
	exit 77
}

t_ok()
{
	echo "ok: $*"
}

t_fail()
{
	echo "FAIL: $*"
	T_FAILS=$((T_FAILS + 1))
	return 1
}

t_bail()
{
	echo "FAIL: $*"
	exit 1
}

t_need_root()
{
	[ "$(id -u)" = 0 ] || t_skip "needs root"
}

t_need_cmd()
{
	for t_c do
		command -v "$t_c" >/dev/null 2>&1 ||
		    t_skip "needs $t_c (see tests/agents/README)"
	done
}

# t_ms: milliseconds since boot.
t_ms()
{
	# shellcheck disable=SC2034
	read -r t_up t_junk </proc/uptime
	echo $(( (${t_up%.*} * 100 + 1${t_up#*.} - 100) * 10 ))
}

t_done()
{
	t_el=$(( $(t_ms) - T_START ))
	if [ "$T_FAILS" -gt 0 ]; then
		echo "$T_NAME: $T_FAILS check(s) FAILED (${t_el} ms)"
		exit 1
	fi
	echo "$T_NAME: all checks passed (${t_el} ms)"
	exit 0
}

# --- checked calls ---------------------------------------------------------

# t_expect RC DESC CMD...: run CMD (at most T_CALL_LIMIT s); its exit code
# must be RC.  T_OUT and T_ERR name files with its stdout and stderr; T_MS is
# how long it took.
t_expect()
{
	t_want=$1
	t_desc=$2
	shift 2
	t_t0=$(t_ms)
	timeout -k 5 "$T_CALL_LIMIT" "$@" </dev/null >"$T_OUT" 2>"$T_ERR"
	t_rc=$?
	T_MS=$(( $(t_ms) - t_t0 ))
	if [ "$t_rc" = "$t_want" ]; then
		t_ok "$t_desc (rc $t_rc, $T_MS ms)"
		return 0
	fi
	t_fail "$t_desc: rc $t_rc, expected $t_want ($T_MS ms)"
	sed 's/^/    out| /' "$T_OUT"
	sed 's/^/    err| /' "$T_ERR"
	return 1
}

# t_out_is TEXT: the last call printed exactly TEXT on stdout.
t_out_is()
{
	if [ "$(cat "$T_OUT")" = "$1" ]; then
		t_ok "  ... and printed '$1'"
		return 0
	fi
	t_fail "  ... printed '$(cat "$T_OUT")', expected '$1'"
}

# t_err_has TEXT: the last call said TEXT (a fixed string) on stderr.
t_err_has()
{
	if grep -qF -- "$1" "$T_ERR"; then
		t_ok "  ... and said '$1'"
		return 0
	fi
	t_fail "  ... stderr lacks '$1'"
	sed 's/^/    err| /' "$T_ERR"
	return 1
}

# t_check DESC CMD...: CMD must succeed (a plain check, not an agent call).
t_check()
{
	t_desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		t_ok "$t_desc"
		return 0
	fi
	t_fail "$t_desc"
}

# t_eventually SECS DESC CMD...: CMD must succeed within SECS.
t_eventually()
{
	t_secs=$1
	t_desc=$2
	shift 2
	t_end=$(( $(t_ms) + t_secs * 1000 ))
	while :; do
		if "$@" >/dev/null 2>&1; then
			t_ok "$t_desc"
			return 0
		fi
		[ "$(t_ms)" -lt "$t_end" ] || break
		sleep 0.1
	done
	t_fail "$t_desc (not within $t_secs s)"
}

# t_cycle UP DOWN CMD...: every action twice with its exit code, in the
# order start start status monitor stop stop status.  CMD is the agent call
# without the action; UP and DOWN are functions checking the real thing
# after start and after stop (":" for none).
t_cycle()
{
	t_up=$1
	t_down=$2
	shift 2
	t_expect 7 "status before start" "$@" status && t_out_is stopped
	t_expect 7 "monitor before start" "$@" monitor
	t_expect 0 "start" "$@" start
	t_expect 0 "start when started" "$@" start
	t_expect 0 "status" "$@" status && t_out_is running
	t_expect 0 "status again" "$@" status
	t_expect 0 "monitor" "$@" monitor
	t_expect 0 "monitor again" "$@" monitor
	$t_up
	t_expect 0 "stop" "$@" stop
	t_expect 0 "stop when stopped" "$@" stop
	t_expect 7 "status after stop" "$@" status && t_out_is stopped
	t_expect 7 "status after stop again" "$@" status
	t_expect 7 "monitor after stop" "$@" monitor
	$t_down
}

# t_pipe_free MAXMS DESC CMD...: CMD with stdout and stderr on a pipe must
# let the reader see EOF within MAXMS: daemons it starts must not keep the
# caller's pipes open (hbd reads agent output through pipes).
t_pipe_free()
{
	t_max=$1
	t_desc=$2
	shift 2
	t_t0=$(t_ms)
	{ timeout -k 2 20 "$@" 2>&1 </dev/null; echo "rc=$?"; } |
	    cat >"$T_OUT"
	T_MS=$(( $(t_ms) - t_t0 ))
	if ! grep -q '^rc=0$' "$T_OUT"; then
		t_fail "$t_desc: failed"
		sed 's/^/    out| /' "$T_OUT"
		return 1
	fi
	if [ "$T_MS" -gt "$t_max" ]; then
		t_fail "$t_desc: the pipe stayed open for $T_MS ms"
		return 1
	fi
	t_ok "$t_desc (EOF after $T_MS ms)"
}

# t_ocf_tester DESC CMD...: CMD runs ocf-tester (under nsenter or the like);
# it must exit 0 and report "passed all tests".
t_ocf_tester()
{
	t_d=$1
	shift
	t_expect 0 "ocf-tester $t_d" "$@" || return 1
	grep -q 'passed all tests' "$T_OUT" && return 0
	t_fail "ocf-tester $t_d: no 'passed all tests'"
	sed 's/^/    out| /' "$T_OUT"
}

# --- namespaces and anchors -------------------------------------------------

t_tmpdir()
{
	T_TMP=$(mktemp -d "/tmp/hbtA-$T_NAME.XXXXXX") || t_bail "mktemp"
	chmod 755 "$T_TMP"
	T_OUT=$T_TMP/.out
	T_ERR=$T_TMP/.err
	HA_RSCTMP=$T_TMP/rsctmp
	export HA_RSCTMP
}

# t_netns NAME: create a network namespace with lo up; removed at exit.
t_netns()
{
	T_NETNS="$T_NETNS $1"
	ip netns add "$1" || t_bail "cannot create netns $1"
	ip -n "$1" link set lo up
}

# t_veth NS1 ADDR1 NS2 ADDR2: an eth0 in each, joined, addresses /24, up.
t_veth()
{
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$3" ||
	    t_bail "cannot create veth between $1 and $3"
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$3" addr add "$4/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$3" link set eth0 up
}

# t_anchor [NETNS]: start a sleep in a new mount namespace (inside NETNS if
# given) with a private tmpfs on /run; T_ANCHOR := its pid.  Enter it with
# t_in.  Everything in its mount namespace is killed at exit.
t_anchor()
{
	t_inner='mount -t tmpfs -o mode=755,size=16m hbtA-run /run &&
	    mkdir -p /run/lock && exec sleep 1000000'
	if [ -n "${1:-}" ]; then
		ip netns exec "$1" unshare -m -- sh -c "$t_inner" \
		    </dev/null >/dev/null 2>&1 &
	else
		unshare -m -- sh -c "$t_inner" </dev/null >/dev/null 2>&1 &
	fi
	T_ANCHOR=$!
	T_ANCHORS="$T_ANCHORS $T_ANCHOR"
	t_end=$(( $(t_ms) + 5000 ))
	until [ "$(readlink "/proc/$T_ANCHOR/exe")" = "$(readlink -f \
	    "$(command -v sleep)")" ]; do
		[ "$(t_ms)" -lt "$t_end" ] || t_bail "anchor did not start"
		sleep 0.02
	done
	T_ANCHOR_NS=${1:-}
	# shellcheck disable=SC2034
	IN="nsenter -t $T_ANCHOR ${1:+-n} -m --"
}

# t_in CMD...: run CMD in the anchor's namespaces (or use $IN as a prefix
# where a program, not a function, is needed, e.g. in t_expect).
t_in()
{
	if [ -n "$T_ANCHOR_NS" ]; then
		nsenter -t "$T_ANCHOR" -n -m -- "$@"
	else
		nsenter -t "$T_ANCHOR" -m -- "$@"
	fi
}

# t_bg PIDFILE CMD...: start CMD detached (stdio on /dev/null) and write its
# pid to PIDFILE; the pid is also killed at exit.
t_bg()
{
	t_pf=$1
	shift
	setsid sh -c 'echo $$ >"$1" && shift && exec "$@"' t-bg "$t_pf" "$@" \
	    </dev/null >/dev/null 2>&1 &
	t_end=$(( $(t_ms) + 5000 ))
	until [ -s "$t_pf" ]; do
		[ "$(t_ms)" -lt "$t_end" ] || t_bail "could not start $*"
		sleep 0.02
	done
	T_EXTRA_PIDS="$T_EXTRA_PIDS $(cat "$t_pf")"
}

# t_alive PID: PID is a live process (zombies do not count).
t_alive()
{
	read -r t_st 2>/dev/null <"/proc/$1/stat" || return 1
	t_st=${t_st##*) }
	case $t_st in Z*|X*) return 1 ;; esac
	return 0
}

t_dead()
{
	! t_alive "$1"
}

# t_ns_pids NETNS: pids of live processes in NETNS except the anchors.
t_ns_pids()
{
	for t_p in $(ip netns pids "$1" 2>/dev/null); do
		case " $T_ANCHORS " in *" $t_p "*) continue ;; esac
		t_alive "$t_p" && echo "$t_p"
	done
}

t_ns_empty()
{
	[ -z "$(t_ns_pids "$1")" ]
}

# t_mntns_pids PID: pids sharing PID's mount namespace (PID excluded).
t_mntns_pids()
{
	t_ns=$(readlink "/proc/$1/ns/mnt") || return 0
	for t_d in /proc/[0-9]*; do
		[ "${t_d#/proc/}" = "$1" ] && continue
		[ "$(readlink "$t_d/ns/mnt" 2>/dev/null)" = "$t_ns" ] &&
		    echo "${t_d#/proc/}"
	done
}

# --- teardown ----------------------------------------------------------------

t_kill_pids()
{
	for t_p do
		t_alive "$t_p" && kill -s KILL "$t_p" 2>/dev/null
	done
	t_end=$(( $(t_ms) + 5000 ))
	for t_p do
		while t_alive "$t_p" && [ "$(t_ms)" -lt "$t_end" ]; do
			sleep 0.05
		done
	done
}

# t_detach IMAGE: detach the loop devices backed by IMAGE (they may stay
# busy for a moment while a dying mount namespace unmounts them).
t_detach()
{
	t_end=$(( $(t_ms) + 5000 ))
	while t_l=$(losetup -j "$1" -n -O NAME 2>/dev/null) && [ -n "$t_l" ]
	do
		for t_d in $t_l; do
			losetup -d "$t_d" 2>/dev/null
		done
		if [ "$(t_ms)" -ge "$t_end" ]; then
			echo "WARNING: a loop device of $1 is still attached"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

t_teardown()
{
	trap - EXIT INT TERM HUP
	set +e
	# Processes: what the tests started, what lives in the anchors' mount
	# namespaces and in our network namespaces, then the anchors.
	t_victims=$T_EXTRA_PIDS
	for t_a in $T_ANCHORS; do
		t_victims="$t_victims $(t_mntns_pids "$t_a")"
	done
	for t_n in $T_NETNS; do
		t_victims="$t_victims $(t_ns_pids "$t_n")"
	done
	# shellcheck disable=SC2086
	t_kill_pids $t_victims
	# shellcheck disable=SC2086
	t_kill_pids $T_ANCHORS
	for t_i in $T_IMAGES; do
		t_detach "$t_i"
	done
	for t_n in $T_NETNS; do
		ip netns del "$t_n" 2>/dev/null
	done
	[ -n "$T_TMP" ] && rm -rf -- "$T_TMP"
}

t_begin()
{
	T_START=$(t_ms)
	trap t_teardown EXIT
	trap 'exit 1' INT TERM HUP
	t_tmpdir
}
