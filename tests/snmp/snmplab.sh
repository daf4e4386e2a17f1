# snmplab.sh — a small private lab for hbd-snmp's test and benchmark.
# Sourced by tests/snmp/subagent.test and tests/bench/snmp-bench.sh.
# POSIX sh plus `local`. Needs root, iproute2, util-linux (unshare, nsenter).
#
#   ${P}0   client: br0 10.88.0.10/24 (the "switch" and the manager side:
#           snmptrapd, snmpget/walk/set, check_snmp)
#   ${P}N   node N (1, 2): eth0 10.88.0.1N/24 on the client's br0; an
#           anchor process holds a private mount namespace with its own
#           /run (resource agents keep state in /run/resource-agents)
#
# Everything lives in SL_DIR=/tmp/PREFIX. Processes are started with sl_bg
# and sl_client_bg, which record their PIDs; teardown kills only those
# (if they still sit in one of the lab's namespaces) and then whatever is
# left inside the lab's namespaces, by PID. Never by name.
#
# Addresses: only 10.88.0.0/24, only inside the lab's namespaces.

SL_CLIENT_ADDR=10.88.0.10

sl_init()
{
	SL_P=$1
	SL_DIR=/tmp/$1
	SL_NS0=${1}0
	SL_NODES=0
	SL_PID=
	# client tools: no host configuration, no MIB files (numeric OIDs)
	SNMPCONFPATH=$SL_DIR/client/conf
	SNMP_PERSISTENT_DIR=$SL_DIR/client/persist
	MIBS=
	export SNMPCONFPATH SNMP_PERSISTENT_DIR MIBS
}

sl_node_addr()
{
	echo "10.88.0.1$1"
}

sl_log()
{
	echo "# $(date +%H:%M:%S.%N | cut -c1-12) $*"
}

sl_now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# PID of node N's anchor
sl_anchor()
{
	cat "$SL_DIR/ha$1/anchor.pid" 2>/dev/null
}

# Is PID in one of the lab's network namespaces?
sl_ours()
{
	local ns

	ns=$(ip netns identify "$1" 2>/dev/null) || return 1
	case $ns in
	"$SL_P"[0-9]) return 0 ;;
	esac
	return 1
}

sl_kill()
{
	local sig=${2:-TERM}

	if sl_ours "$1"; then
		kill -s "$sig" "$1" 2>/dev/null
		return 0
	fi
	return 1
}

sl_teardown()
{
	local p ns i

	if [ -f "$SL_DIR/pids" ]; then
		while read -r p; do
			sl_ours "$p" && kill -s KILL "$p" 2>/dev/null
		done <"$SL_DIR/pids"
	fi
	for i in 0 1 2 3; do
		ns=$SL_P$i
		ip netns list 2>/dev/null | grep -q "^$ns\b" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -s KILL "$p" 2>/dev/null
		done
	done
	# let the kernel release them before the namespaces go
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=
		for ns in "$SL_P"0 "$SL_P"1 "$SL_P"2 "$SL_P"3; do
			p="$p$(ip netns pids "$ns" 2>/dev/null)"
		done
		[ -z "$p" ] && break
		sleep 0.1
	done
	for i in 0 1 2 3; do
		ip netns del "$SL_P$i" 2>/dev/null
	done
	rm -rf "$SL_DIR"
	return 0
}

# sl_setup NODES: the client and NODES (1 or 2) nodes, each with an anchor
sl_setup()
{
	local n i

	sl_teardown
	mkdir -p "$SL_DIR/client/conf" "$SL_DIR/client/persist" || return 1
	: >"$SL_DIR/pids"
	ip netns add "$SL_NS0" || return 1
	ip -n "$SL_NS0" link set lo up
	ip -n "$SL_NS0" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$SL_NS0" addr add "$SL_CLIENT_ADDR/24" dev br0
	ip -n "$SL_NS0" link set br0 up
	n=$1
	i=1
	while [ "$i" -le "$n" ]; do
		mkdir -p "$SL_DIR/ha$i" || return 1
		ip netns add "$SL_P$i" || return 1
		ip -n "$SL_P$i" link set lo up
		ip link add eth0 netns "$SL_P$i" type veth peer name "sw$i" \
		    netns "$SL_NS0" || return 1
		ip -n "$SL_NS0" link set "sw$i" master br0
		ip -n "$SL_NS0" link set "sw$i" up
		ip -n "$SL_P$i" addr add "$(sl_node_addr "$i")/24" dev eth0
		ip -n "$SL_P$i" link set eth0 up
		ip netns exec "$SL_P$i" unshare --mount -- sh -c \
		    'mount -t tmpfs -o mode=755,size=16m snmplab-run /run &&
		     exec sleep infinity' </dev/null \
		    >"$SL_DIR/ha$i/anchor.log" 2>&1 &
		echo $! >"$SL_DIR/ha$i/anchor.pid"
		echo $! >>"$SL_DIR/pids"
		i=$((i + 1))
	done
	SL_NODES=$n
	i=1
	while [ "$i" -le "$n" ]; do
		sl_wait 3000 "node $i's anchor" sl_anchor_ready "$i" || return 1
		sl_wait 3000 "node $i to answer ping" ip netns exec "$SL_NS0" \
		    ping -c1 -W1 "$(sl_node_addr "$i")" || return 1
		i=$((i + 1))
	done
	return 0
}

sl_anchor_ready()
{
	local p

	p=$(sl_anchor "$1") || return 1
	[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(command -v sleep)" ] ||
	    [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /usr/bin/sleep ] ||
	    [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /bin/sleep ]
}

# sl_x N CMD...: run in node N (its netns and private mount namespace)
sl_x()
{
	local a

	a=$(sl_anchor "$1")
	shift
	nsenter -t "$a" -n -m -- "$@"
}

# sl_bg N LOG CMD...: the same in the background; SL_PID is its PID
sl_bg()
{
	local a log

	a=$(sl_anchor "$1")
	log=$2
	shift 2
	nsenter -t "$a" -n -m -- "$@" </dev/null >>"$log" 2>&1 &
	SL_PID=$!
	echo "$SL_PID" >>"$SL_DIR/pids"
}

sl_client()
{
	ip netns exec "$SL_NS0" "$@"
}

sl_client_bg()
{
	local log=$1

	shift
	ip netns exec "$SL_NS0" "$@" </dev/null >>"$log" 2>&1 &
	SL_PID=$!
	echo "$SL_PID" >>"$SL_DIR/pids"
}

# sl_wait TIMEOUT_MS DESCRIPTION CMD...: poll CMD every 50 ms
sl_wait()
{
	local limit desc out

	limit=$(($(sl_now_ms) + $1))
	desc=$2
	shift 2
	while :; do
		if out=$("$@" 2>&1); then
			return 0
		fi
		if [ "$(sl_now_ms)" -ge "$limit" ]; then
			echo "timeout waiting for $desc; last output:"
			echo "$out" | tail -n 5 | sed 's/^/    /'
			return 1
		fi
		sleep 0.05
	done
}

# ---- hbd ----

# sl_hbd_conf N "NODES" "MEDIA" [EXTRA]: ha.cf, haresources, authkeys
# (timings from SL_KEEPALIVE, SL_DEADTIME, SL_WARNTIME, SL_INITDEAD)
sl_hbd_conf()
{
	local d=$SL_DIR/ha$1

	mkdir -p "$d/cfg" "$d/state" || return 1
	{
		echo "node $2"
		[ -n "$3" ] && echo "$3"
		echo "keepalive ${SL_KEEPALIVE:-200ms}"
		echo "deadtime ${SL_DEADTIME:-1}"
		echo "warntime ${SL_WARNTIME:-500ms}"
		echo "initdead ${SL_INITDEAD:-2}"
		echo "auto_failback ${SL_AUTO_FAILBACK:-on}"
		echo "monitor_interval 1"
		[ -n "${4:-}" ] && printf '%s\n' "$4"
	} >"$d/cfg/ha.cf"
	echo "${SL_HARESOURCES:-ha1 Dummy::g1 Dummy::g2}" >"$d/cfg/haresources"
	printf 'auth 1\n1 sha256 snmplab-%s-secret\n' "$SL_P" >"$d/cfg/authkeys"
	chmod 600 "$d/cfg/authkeys"
}

sl_hbd_sock()
{
	echo "$SL_DIR/ha$1/hbd.sock"
}

sl_hbd_start()
{
	local d=$SL_DIR/ha$1

	sl_bg "$1" "$d/hbd.log" env HBD_AGENT_DIR="$srcdir/agents" \
	    "$builddir/hbd/hbd" -d -c "$d/cfg" -N "ha$1" -S "$d/hbd.sock" \
	    -s "$d/state" -p "$d/hbd.pid"
	echo "$SL_PID" >"$d/hbd.bgpid"
	sl_wait 5000 "hbd on ha$1 to answer" "$builddir/hbd/hbctl" \
	    -S "$d/hbd.sock" status
}

sl_hbctl()
{
	local n=$1

	shift
	"$builddir/hbd/hbctl" -S "$(sl_hbd_sock "$n")" "$@"
}

# ---- net-snmp ----

SL_V3_USER=hbdadmin
SL_V3_AUTH=hbd-lab-auth-pass
SL_V3_PRIV=hbd-lab-priv-pass

sl_snmpd_conf()
{
	local d=$SL_DIR/ha$1

	mkdir -p "$d/snmp-persist" || return 1
	cat >"$d/snmpd.conf" <<EOF
master        agentx
agentXSocket  $d/agentx.sock
agentXPerms   0660 0750 root ${SL_AGENTX_GROUP:-root}
rocommunity   public $SL_CLIENT_ADDR -V hbdview
createUser    $SL_V3_USER SHA "$SL_V3_AUTH" AES "$SL_V3_PRIV"
rwuser        $SL_V3_USER priv -V hbdview
trap2sink     $SL_CLIENT_ADDR:162 public
${SL_SNMPD_EXTRA:-}
EOF
	# the views of the shipped snippet, as shipped
	grep '^view ' "$srcdir/etc/snmp/snmpd.conf.d/hbd.conf" >>"$d/snmpd.conf"
}

sl_snmpd_start()
{
	local d=$SL_DIR/ha$1

	rm -f "$d/agentx.sock"
	sl_bg "$1" "$d/snmpd.out" env SNMP_PERSISTENT_DIR="$d/snmp-persist" \
	    MIBS= snmpd -f -C -c "$d/snmpd.conf" -Lf "$d/snmpd.log" \
	    -p "$d/snmpd.pid" "udp:$(sl_node_addr "$1"):161"
	echo "$SL_PID" >"$d/snmpd.bgpid"
	sl_wait 5000 "snmpd's AgentX socket on ha$1" test -S "$d/agentx.sock"
}

sl_snmptrapd_start()
{
	local d=$SL_DIR/client

	printf 'disableAuthorization yes\nformat2 TRAP %%V|%%v\\n\n' \
	    >"$d/snmptrapd.conf"
	: >"$d/traps.log"
	sl_client_bg "$d/snmptrapd.out" env SNMP_PERSISTENT_DIR="$d/persist" \
	    MIBS= snmptrapd -f -C -c "$d/snmptrapd.conf" -On \
	    -Lf "$d/traps.log" -p "$d/snmptrapd.pid" \
	    "udp:$SL_CLIENT_ADDR:162"
	echo "$SL_PID" >"$d/snmptrapd.bgpid"
	sl_wait 5000 "snmptrapd to listen" sl_udp_listening 162
}

sl_udp_listening()
{
	sl_client ss -Hlnu "sport = :$1" | grep -q .
}

sl_subagent_start()
{
	local n=$1 d=$SL_DIR/ha$1

	shift
	sl_bg "$n" "$d/hbd-snmp.log" ${SL_SUBAGENT_WRAPPER:-} \
	    "$builddir/snmp-subagent/hbd-snmp" -d -S "$d/hbd.sock" \
	    -x "$d/agentx.sock" "$@"
	echo "$SL_PID" >"$d/hbd-snmp.bgpid"
}
