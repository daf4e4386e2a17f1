# eco.sh — the two-node cluster that the monitoring tests (check.test,
# nagios.test) look at, built on tests/snmp/snmplab.sh (namespaces
# ${P}0 client, ${P}1 = ha1 10.88.0.11, ${P}2 = ha2 10.88.0.12).
# Sourced after snmplab.sh and sl_init. POSIX sh plus `local`.
#
# Groups (haresources), both preferring ha1:
#   1  Dummy::g1 Dummy::g2
#   2  ecorsc::x   (an agent of this file: eco_break makes it fail)
# Timing: keepalive 200ms, warntime 600ms, deadtime 3s, initdead 6s.

eco_require()
{
	[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; return 1; }
	for c in ip unshare nsenter ss "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    { echo "$c not found"; return 1; }
	done
	[ -x "$builddir/hbd/hbd" ] && [ -x "$builddir/hbd/hbctl" ] ||
	    { echo "hbd/hbctl not built"; return 1; }
	ip netns list >/dev/null 2>&1 || { echo "ip netns does not work here"; return 1; }
	return 0
}

# a heartbeat-style agent whose start and monitor fail on request
eco_agent()
{
	mkdir -p "$SL_DIR/agents" "$SL_DIR/ecorsc" || return 1
	cat >"$SL_DIR/agents/ecorsc" <<AGENT
#!/bin/sh
# ecorsc NAME start|stop|status|monitor; state in the node's private /run
m=$SL_DIR/ecorsc
s=/run/ecorsc-\$1
case \$2 in
start)	[ -e "\$m/fail-start" ] && exit 1
	touch "\$s" ;;
stop)	rm -f "\$s" ;;
status|monitor)
	if [ -e "\$s" ] && [ ! -e "\$m/fail-monitor" ]; then echo running
	else echo stopped; fi ;;
*)	exit 1 ;;
esac
exit 0
AGENT
	chmod 755 "$SL_DIR/agents/ecorsc"
}

# eco_up: both nodes' hbd, groups started on ha1
eco_up()
{
	local i

	SL_KEEPALIVE=200ms SL_WARNTIME=600ms SL_DEADTIME=3 SL_INITDEAD=6
	SL_HARESOURCES="ha1 Dummy::g1 Dummy::g2
ha1 ecorsc::x"
	export SL_KEEPALIVE SL_WARNTIME SL_DEADTIME SL_INITDEAD SL_HARESOURCES
	sl_setup 2 || return 1
	eco_agent || return 1
	for i in 1 2; do
		sl_hbd_conf "$i" "ha1 ha2" "ucast eth0 10.88.0.11
ucast eth0 10.88.0.12" "resource_path $SL_DIR/agents" || return 1
	done
	HBD_AGENT_DIR=$srcdir/agents "$builddir/hbd/hbd" -n \
	    -c "$SL_DIR/ha1/cfg" -N ha1 >/dev/null ||
	    { echo "hbd -n refuses the lab's configuration"; return 1; }
	sl_hbd_start 1 || return 1
	sl_hbd_start 2 || return 1
	sl_wait 15000 "both nodes active, both groups started on ha1" \
	    eco_settled || return 1
}

# jq-free look at `hbctl --json status` of node N
eco_json()
{
	sl_hbctl "$1" --json status 2>/dev/null
}

eco_group_is()	# N GROUP OWNER STATE
{
	eco_json "$1" | grep -q "\"name\":\"$2\",\"preferred\":\"[^\"]*\",\"owner\":\"$3\",\"state\":\"$4\""
}

eco_peer_is()	# N PEER STATUS
{
	eco_json "$1" | grep -q "\"name\":\"$2\",\"type\":\"normal\",\"local\":false,\"status\":\"$3\""
}

eco_settled()
{
	eco_peer_is 1 ha2 active && eco_peer_is 2 ha1 active &&
	    eco_group_is 1 Dummy::g1 ha1 started &&
	    eco_group_is 1 ecorsc::x ha1 started &&
	    eco_group_is 2 Dummy::g1 ha1 started
}

eco_counter()	# N NAME
{
	eco_json "$1" | grep -o "\"counters\":{.*" |
	    grep -o "\"$2\":[0-9]*" | head -n 1 | cut -d: -f2
}

# eco_late: ha2's hbd stopped for 1.5 s (warntime 0.6 s < 1.5 s < deadtime
# 3 s): ha1 counts a late heartbeat, nobody dies
eco_late()
{
	local before pid

	before=$(eco_counter 1 late_heartbeats)
	pid=$(cat "$SL_DIR/ha2/hbd.bgpid")
	sl_kill "$pid" STOP || return 1
	sleep 1.5
	sl_kill "$pid" CONT
	sl_wait 3000 "ha1 to count a late heartbeat" eco_counter_above 1 \
	    late_heartbeats "$before"
}

eco_counter_above()
{
	[ "$(eco_counter "$1" "$2")" -gt "$3" ] 2>/dev/null
}

# eco_kill N: hbd on node N killed (SIGKILL: no goodbye to the peer)
eco_kill()
{
	local pid

	pid=$(cat "$SL_DIR/ha$1/hbd.bgpid")
	sl_kill "$pid" KILL
	wait "$pid" 2>/dev/null
	return 0
}

# eco_break: group ecorsc::x fails on ha1 (monitor, then start, fail)
eco_break()
{
	touch "$SL_DIR/ecorsc/fail-start" "$SL_DIR/ecorsc/fail-monitor"
	sl_wait 10000 "group ecorsc::x failed" eco_group_failed
}

eco_group_failed()
{
	eco_json 1 | grep -q '"name":"ecorsc::x","preferred":"ha1","owner":[^,]*,"state":"failed"'
}
