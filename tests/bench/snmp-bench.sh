#!/bin/sh
# snmp-bench.sh [WALKS] [MOVES]: figures for hbd-snmp (not part of make
# check; needs root, python3, snmpd and snmp).
#
# A two-node lab (tests/snmp/snmplab.sh, prefix hbtB, 10.88.0.0/24):
# hbd on ha1 and ha2 (ucast over eth0, auto_failback off), snmpd (master
# agentx) and hbd-snmp on ha1, the manager in hbtB0.
#
#  walk   snmpbulkwalk -v2c -Cr25 of the whole HBD-MIB from the manager,
#         WALKS times (default 200): median and p99 of the wall time of the
#         snmpbulkwalk process, and of a one-varbind snmpget (process
#         start plus one round trip) for comparison.
#  traps  MOVES round trips (default 60) of group Dummy::g1 between ha1
#         and ha2 with `hbctl move --wait`: each gives ha1 one hbdRelease
#         and one hbdTakeover. Latency = receipt by a small UDP receiver
#         in the manager's namespace (python, timestamp at recvfrom) minus
#         the time_ms of the hbd event (from `hbctl --json events` on ha1;
#         both are CLOCK_REALTIME of this host). Median, p99, max.
#
# Targets (issue 6): walk under 20 ms, trap latency under 50 ms p99.

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$here/../..}
builddir=${builddir:-$srcdir}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
WALKS=${1:-200}
MOVES=${2:-60}

die()
{
	echo "snmp-bench: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root"
for c in python3 snmpd snmpbulkwalk snmpget ip nsenter unshare ss; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found"
done
[ -x "$builddir/snmp-subagent/hbd-snmp" ] || die "hbd-snmp not built"

. "$srcdir/tests/snmp/snmplab.sh"
sl_init hbtB
trap 'sl_teardown' EXIT
trap 'exit 1' INT TERM HUP

M=.1.3.6.1.4.1.8072.9999.9999.1
HOST=$(sl_node_addr 1)

echo "setting up two nodes..."
sl_setup 2 || die "lab setup failed"
SL_AUTO_FAILBACK=off
# a loaded CI machine must not turn a slow heartbeat into a failover here
SL_DEADTIME=3
SL_WARNTIME=1500ms
SL_INITDEAD=3
sl_hbd_conf 1 "ha1 ha2" "ucast eth0 $(sl_node_addr 2)" "snmp_write on"
sl_hbd_conf 2 "ha1 ha2" "ucast eth0 $(sl_node_addr 1)"
sl_hbd_start 1 || die "hbd on ha1"
sl_hbd_start 2 || die "hbd on ha2"
sl_snmpd_conf 1
# traps go to the python receiver, not to snmptrapd
sed -i 's/^trap2sink.*/trap2sink     10.88.0.10:1162 public/' \
    "$SL_DIR/ha1/snmpd.conf"
sl_snmpd_start 1 || die "snmpd"
sl_subagent_start 1

cat >"$SL_DIR/client/recv.py" <<'EOF'
import socket, sys, time
# hbdNotifications = 1.3.6.1.4.1.8072.9999.9999.1.0 in BER; the next byte
# of the snmpTrapOID.0 value is the notification number
PREFIX = bytes([0x2b, 6, 1, 4, 1, 0xbf, 0x08, 0xce, 0x0f, 0xce, 0x0f, 1, 0])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.88.0.10", 1162))
out = open(sys.argv[1], "a", buffering=1)
while True:
    data, _ = s.recvfrom(65535)
    t = time.time() * 1000.0
    i = data.find(PREFIX)
    n = data[i + len(PREFIX)] if i >= 0 and i + len(PREFIX) < len(data) else -1
    out.write("%.3f %d\n" % (t, n))
EOF
: >"$SL_DIR/client/recv.log"
sl_client_bg "$SL_DIR/client/recv.out" python3 "$SL_DIR/client/recv.py" \
    "$SL_DIR/client/recv.log"
sl_wait 5000 "the receiver" sl_udp_listening 1162 || die "receiver"

group_on()
{
	sl_hbctl 1 --json status | grep -q \
	    "\"name\":\"Dummy::g1\",\"preferred\":\"[^\"]*\",\"owner\":\"$1\",\"state\":\"started\""
}
sl_wait 15000 "Dummy::g1 started on ha1" group_on ha1 || die "group not started"
sl_wait 5000 "HBD-MIB" sh -c "ip netns exec $SL_NS0 snmpget -v2c -c public \
    -On -Oqv $HOST $M.1.2.1.0 | grep -q ha1" || die "no HBD-MIB"

# ---- walk ----

cat >"$SL_DIR/client/walk.py" <<'EOF'
import subprocess, sys, time
n, host, oid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def run(cmd):
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, check=True)
        t.append((time.perf_counter() - t0) * 1000.0)
    return t, p.stdout.decode().count("\n")
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
walk, lines = run(["snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Cr25",
                   host, oid])
get, _ = run(["snmpget", "-v2c", "-c", "public", "-On", host,
              oid + ".1.2.1.0"])
print("walk: %d x snmpbulkwalk of HBD-MIB (%d lines): median %.1f ms, "
      "p99 %.1f ms, max %.1f ms" % (n, lines, pct(walk, 50), pct(walk, 99),
      max(walk)))
print("      one-varbind snmpget (process start + 1 round trip): median "
      "%.1f ms, p99 %.1f ms" % (pct(get, 50), pct(get, 99)))
print("      walk minus that: median %.1f ms" % (pct(walk, 50) - pct(get, 50)))
EOF
echo "walking..."
sl_client python3 "$SL_DIR/client/walk.py" "$WALKS" "$HOST" "$M"

# ---- traps ----

echo "moving Dummy::g1 between ha1 and ha2 $MOVES times..."
: >"$SL_DIR/ha1/events.log"
"$builddir/hbd/hbctl" -S "$(sl_hbd_sock 1)" --json events \
    >"$SL_DIR/ha1/events.log" 2>&1 &
evpid=$!
sleep 0.3
: >"$SL_DIR/client/recv.log"
move()
{
	local out

	out=$(sl_hbctl 1 move Dummy::g1 "$1" --wait 10 2>&1) && return 0
	echo "  move to $1 failed: $out"
	fails=$((fails + 1))
	[ "$fails" -le 5 ] || die "too many failed moves"
	sleep 1
}
i=0
fails=0
t0=$(sl_now_ms)
while [ "$i" -lt "$MOVES" ]; do
	move ha2
	move ha1
	i=$((i + 1))
done
echo "  $MOVES round trips in $((($(sl_now_ms) - t0) / 1000)) s" \
    "($fails moves failed)"
sleep 1
kill "$evpid" 2>/dev/null
wait "$evpid" 2>/dev/null

python3 - "$SL_DIR/ha1/events.log" "$SL_DIR/client/recv.log" <<'EOF'
import json, sys
ev = []
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("type") in ("takeover", "release"):
        ev.append((4 if e["type"] == "takeover" else 5, e["time_ms"]))
tr = [(int(n), float(t)) for t, n in
      (l.split() for l in open(sys.argv[2]) if l.strip())]
tr = [x for x in tr if x[0] in (4, 5)]
if len(ev) != len(tr):
    print("traps: %d events but %d notifications received" % (len(ev), len(tr)))
k = min(len(ev), len(tr))
lat = []
for (n1, te), (n2, tt) in zip(ev[:k], tr[:k]):
    if n1 != n2:
        print("traps: order mismatch"); sys.exit(1)
    lat.append(tt - te)
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100.0 * (len(lat) - 1))))]
print("traps: %d hbdTakeover/hbdRelease, event time_ms -> receipt: median "
      "%.1f ms, p99 %.1f ms, max %.1f ms, min %.1f ms" %
      (len(lat), pct(50), pct(99), lat[-1], lat[0]))
print("       (hbd's time_ms has 1 ms resolution: figures are +-1 ms)")
EOF
