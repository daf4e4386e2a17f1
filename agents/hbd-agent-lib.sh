# hbd-agent-lib.sh - shared code of hbd's resource agents (POSIX sh).
#
# Owns: the OCF exit codes, logging to stderr, both calling conventions
# (heartbeat "AGENT ARG... ACTION" and OCF "AGENT ACTION" with OCF_RESKEY_*),
# action dispatch, bounded waits and timeouts, process checks by pid and
# detached spawning.  Must not: write to stdout (stdout belongs to meta-data
# and to heartbeat's "running"/"stopped" status text), start or stop anything
# on its own, or depend on the OCF shell functions of resource-agents.
#
# An agent sources this file with
#	case $0 in */*) hbd_self=$0 ;; *) hbd_self=./$0 ;; esac
#	[ -L "$hbd_self" ] && hbd_self=$(readlink -f "$hbd_self")
#	. "${hbd_self%/*}/hbd-agent-lib.sh"
# (readlink only for the OCF links: every fork shows in a failover's time)
# defines agent_usage, agent_meta_data, agent_positional, agent_validate,
# agent_start, agent_stop, agent_status and agent_monitor, then calls
#	hbd_main "$@"
#
# Parameters: a positional argument sets OCF_RESKEY_<name> and so wins over
# the environment; every parameter not given positionally comes from the
# environment (OCF_RESKEY_<name>) or its default.

# shellcheck disable=SC2034 # the agents use them
OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7

# Wrappers such as IPaddr2 set HBD_AGENT_NAME before they exec the real agent.
HBD_AGENT=${HBD_AGENT_NAME:-${0##*/}}
HBD_RSCTMP=${HA_RSCTMP:-/run/hbd/rsctmp}
PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin
export PATH

# --- logging (stderr only) ----------------------------------------------

hbd_log()
{
	hbd_lvl=$1
	shift
	if [ -n "${OCF_RESOURCE_INSTANCE:-}" ]; then
		printf '%s(%s): %s: %s\n' "$HBD_AGENT" \
		    "$OCF_RESOURCE_INSTANCE" "$hbd_lvl" "$*" >&2
	else
		printf '%s: %s: %s\n' "$HBD_AGENT" "$hbd_lvl" "$*" >&2
	fi
}

hbd_err()   { hbd_log ERROR "$@"; }
hbd_warn()  { hbd_log WARNING "$@"; }
hbd_info()  { hbd_log INFO "$@"; }

hbd_debug()
{
	case ${HA_debug:-}${HBD_DEBUG:-} in
	''|0|00) ;;
	*) hbd_log DEBUG "$@" ;;
	esac
}

# --- parameters ---------------------------------------------------------

# hbd_load VAR NAME [DEFAULT]: VAR := $OCF_RESKEY_NAME, or DEFAULT when that
# is unset or empty.  VAR and NAME are constants in the agents' code.
hbd_load()
{
	eval "$1=\${OCF_RESKEY_$2:-\${3:-}}"
}

# hbd_set NAME VALUE: what a positional argument does; empty means "not given".
hbd_set()
{
	[ -n "$2" ] || return 0
	eval "OCF_RESKEY_$1=\$2"
}

hbd_is_true()
{
	case $1 in
	[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|1|[Oo][Nn]|[Yy]) return 0 ;;
	*) return 1 ;;
	esac
}

# hbd_is_uint VALUE: a non-negative decimal integer without leading zeros.
hbd_is_uint()
{
	case $1 in
	''|*[!0-9]*|0?*) return 1 ;;
	*) return 0 ;;
	esac
}

# hbd_safe_name STRING: STRING made safe as part of a file name.
# Pure shell: agents run on every move, and a fork costs milliseconds on a
# loaded machine.
hbd_safe_name()
{
	hbd_s=$1
	while :; do
		case $hbd_s in
		/*) hbd_s=${hbd_s#/} ;;
		*) break ;;
		esac
	done
	hbd_o=
	while [ -n "$hbd_s" ]; do
		hbd_r=${hbd_s#?}
		hbd_c=${hbd_s%"$hbd_r"}
		hbd_s=$hbd_r
		case $hbd_c in
		[A-Za-z0-9_.-]) hbd_o=$hbd_o$hbd_c ;;
		*) hbd_o=${hbd_o}_ ;;
		esac
	done
	printf '%s\n' "${hbd_o:-default}"
}

hbd_rsctmp()
{
	[ -d "$HBD_RSCTMP" ] || mkdir -p "$HBD_RSCTMP" || {
		hbd_err "cannot create state directory $HBD_RSCTMP"
		return 1
	}
}

# --- time, waits and timeouts ---------------------------------------------

# hbd_now: HBD_NOW := centiseconds since boot (monotonic, from /proc/uptime).
hbd_now()
{
	# shellcheck disable=SC2034
	read -r hbd_up hbd_junk </proc/uptime
	HBD_NOW=$(( ${hbd_up%.*} * 100 + 1${hbd_up#*.} - 100 ))
}

# hbd_wait SECS CMD...: run CMD until it succeeds (0) or SECS have passed
# (1), polling every 10 ms for the first 0.2 s, every 20 ms up to 1 s, then
# every 100 ms.  CMD is tried at least once.  Do not nest.  Most waits (a
# server's exit, its first answer) end within a few hundred ms: a doubling
# back-off overshot them by up to its last step.
hbd_wait()
{
	hbd_now
	hbd_deadline=$(( HBD_NOW + $1 * 100 ))
	hbd_start=$HBD_NOW
	shift
	while :; do
		"$@" && return 0
		hbd_now
		[ "$HBD_NOW" -lt "$hbd_deadline" ] || return 1
		if [ $((HBD_NOW - hbd_start)) -lt 20 ]; then
			sleep 0.01
		elif [ $((HBD_NOW - hbd_start)) -lt 100 ]; then
			sleep 0.02
		else
			sleep 0.1
		fi
	done
}

# hbd_budget SECS: start a time budget for this action; hbd_left then prints
# the whole seconds left of it (at least 1, so a last try is always made).
hbd_budget()
{
	hbd_now
	hbd_budget_end=$(( HBD_NOW + $1 * 100 ))
}

hbd_left()
{
	hbd_now
	hbd_l=$(( (hbd_budget_end - HBD_NOW) / 100 ))
	[ "$hbd_l" -ge 1 ] || hbd_l=1
	echo "$hbd_l"
}

# hbd_timeout SECS CMD...: run CMD; SIGTERM after SECS, SIGKILL 2 s later.
# Exit status is CMD's, or 124 on a timeout (coreutils timeout).
hbd_timeout()
{
	timeout -k 2 "$@"
}

# hbd_action_timeout DEFAULT: seconds this action may take, from the
# OCF_RESKEY_CRM_meta_timeout (ms) the caller passed, less 1 s of margin.
hbd_action_timeout()
{
	hbd_t=${OCF_RESKEY_CRM_meta_timeout:-}
	if hbd_is_uint "$hbd_t" && [ "$hbd_t" -ge 2000 ]; then
		echo $(( hbd_t / 1000 - 1 ))
	else
		echo "$1"
	fi
}

# --- processes --------------------------------------------------------------

# hbd_pid_alive PID: the process exists and is not a zombie.  kill -0 is not
# enough: a killed daemon stays a zombie until init reaps it (seconds).
hbd_pid_alive()
{
	hbd_is_uint "$1" && [ "$1" -gt 0 ] || return 1
	read -r hbd_st 2>/dev/null <"/proc/$1/stat" || return 1
	hbd_st=${hbd_st##*) }
	case $hbd_st in
	''|Z*|X*|x*) return 1 ;;
	esac
	return 0
}

hbd_pid_gone()
{
	! hbd_pid_alive "$1"
}

# hbd_pids_gone PID...: none of them is alive.
hbd_pids_gone()
{
	for hbd_p do
		hbd_pid_alive "$hbd_p" && return 1
	done
	return 0
}

# hbd_pid_pgid PID: print the process group of PID.
hbd_pid_pgid()
{
	read -r hbd_st 2>/dev/null <"/proc/$1/stat" || return 1
	set -- ${hbd_st##*) }
	echo "$3"
}

# hbd_pid_is PID PROGRAM: PID is alive and runs the executable PROGRAM (a path
# or a name looked up in PATH).  Guards against a stale pid file naming a
# process that got the same pid later.
hbd_pid_is()
{
	hbd_pid_alive "$1" || return 1
	# the same file (no fork); else compare names, which also accepts a
	# binary replaced by an upgrade while it runs ("... (deleted)")
	case $2 in
	/*) [ "/proc/$1/exe" -ef "$2" ] && return 0 ;;
	*) hbd_want=$(command -v "$2" 2>/dev/null) &&
	       [ "/proc/$1/exe" -ef "$hbd_want" ] && return 0 ;;
	esac
	hbd_exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	hbd_exe=${hbd_exe% (deleted)}
	hbd_want=$(command -v "$2" 2>/dev/null) || hbd_want=$2
	hbd_want=$(readlink -f "$hbd_want" 2>/dev/null) || hbd_want=$2
	[ "$hbd_exe" = "$hbd_want" ]
}

# hbd_pidfile_pid FILE: print the pid in FILE (first word), fail if none.
hbd_pidfile_pid()
{
	hbd_pf=
	[ -r "$1" ] || return 1
	# shellcheck disable=SC2034 # hbd_junk: whatever follows the pid
	read -r hbd_pf hbd_junk 2>/dev/null <"$1" || [ -n "$hbd_pf" ] ||
	    return 1
	hbd_is_uint "$hbd_pf" || return 1
	echo "$hbd_pf"
}

# hbd_terminate PID SECS: SIGTERM, wait up to SECS for it to be gone, then
# SIGKILL (to its whole process group when it leads one: a daemon's workers
# must not survive their parent) and wait up to 5 s more.
hbd_terminate()
{
	hbd_pid_alive "$1" || return 0
	kill -s TERM "$1" 2>/dev/null
	hbd_wait "$2" hbd_pid_gone "$1" && return 0
	hbd_warn "pid $1 still running $2 s after SIGTERM; sending SIGKILL"
	if [ "$(hbd_pid_pgid "$1")" = "$1" ]; then
		kill -s KILL -- "-$1" 2>/dev/null
	else
		kill -s KILL "$1" 2>/dev/null
	fi
	hbd_wait 5 hbd_pid_gone "$1" && return 0
	hbd_err "pid $1 survived SIGKILL (stuck in the kernel?)"
	return 1
}

# hbd_spawn CMD...: start CMD in a new session with stdin, stdout and stderr
# on /dev/null and do not wait for it.  It then neither holds the caller's
# pipes open nor dies with the caller's process group.
hbd_spawn()
{
	setsid "$@" </dev/null >/dev/null 2>&1 &
}

# hbd_spawn_pid PIDFILE CMD...: like hbd_spawn, and write CMD's pid to
# PIDFILE (the shell records its own pid, then execs CMD).
hbd_spawn_pid()
{
	hbd_spawn sh -c 'echo $$ >"$1" && shift && exec "$@"' hbd-spawn "$@"
}

# hbd_need_cmd CMD...: each CMD is installed, else OCF_ERR_INSTALLED.
hbd_need_cmd()
{
	for hbd_c do
		command -v "$hbd_c" >/dev/null 2>&1 && continue
		hbd_err "required program '$hbd_c' is not installed"
		return $OCF_ERR_INSTALLED
	done
	return $OCF_SUCCESS
}

# --- dispatch ---------------------------------------------------------------

# hbd_main "$@": the last argument is the action, the ones before it are the
# heartbeat-style positional arguments (haresources' "::" fields).
hbd_main()
{
	if [ $# -eq 0 ]; then
		hbd_err "no action given"
		agent_usage >&2
		exit $OCF_ERR_ARGS
	fi
	eval "HBD_ACTION=\${$#}"
	hbd_n=$#
	hbd_i=1
	for hbd_a do
		[ "$hbd_i" -lt "$hbd_n" ] && set -- "$@" "$hbd_a"
		hbd_i=$((hbd_i + 1))
	done
	shift "$hbd_n"

	case $HBD_ACTION in
	meta-data)
		agent_meta_data
		exit $OCF_SUCCESS ;;
	usage|help|--help|-h)
		agent_usage
		exit $OCF_SUCCESS ;;
	start|stop|status|monitor|validate-all)
		;;
	*)
		hbd_err "action '$HBD_ACTION' is not implemented"
		agent_usage >&2
		exit $OCF_ERR_UNIMPLEMENTED ;;
	esac

	# Never keep a directory (maybe on a mount we are about to remove) busy.
	cd / || exit $OCF_ERR_GENERIC
	agent_positional "$@" || exit $?
	hbd_debug "$HBD_ACTION"
	hbd_dispatch "$HBD_ACTION"
	exit $?
}

hbd_dispatch()
{
	case $1 in
	start)
		agent_validate || return $?
		agent_start ;;
	stop)
		agent_stop ;;
	monitor)
		agent_monitor ;;
	validate-all)
		agent_validate ;;
	status)
		# heartbeat v1 judged status by this text; the exit code
		# is OCF's.
		agent_status
		hbd_rc=$?
		if [ $hbd_rc -eq $OCF_SUCCESS ]; then
			echo running
		else
			echo stopped
		fi
		return $hbd_rc ;;
	esac
}
