#!/bin/bash
# scripts/hb-capture.sh - capture two real heartbeat 3.0.6 nodes talking on
# UDP 694 in the lab (issue 20), for docs/heartbeat-protocol.md and the
# codec's test vectors.  Root; Debian's heartbeat and tshark installed.
#
#   scripts/hb-capture.sh OUTDIR [AUTH] [AUTO_FAILBACK] [SCENARIO]
#
# AUTH: "sha1 KEY" | "md5 KEY" | "crc" (default "sha1 hbd-lab-key-sha1")
# AUTO_FAILBACK: on | off (default on)
# SCENARIO: full (start-up, steady state, hb_standby, hb_takeover, 30 %
#   loss for rexmit requests, kill -9 of ha1, restart, clean stops) or
#   short (start-up, steady state, clean stops)
# Writes OUTDIR/hb.pcapng (captured in ha1's namespace, every interface),
# OUTDIR/hb.txt (one line per packet: time, addresses, payload with \n
# shown as |), OUTDIR/events.txt (what was done when) and both ha-logs.
set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${builddir:-$srcdir}
export srcdir builddir
out=${1:?usage: hb-capture.sh OUTDIR [AUTH] [AUTO_FAILBACK] [SCENARIO]}
auth=${2:-sha1 hbd-lab-key-sha1}
failback=${3:-on}
scen=${4:-full}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1

. "$srcdir/tests/lib/lab.sh"
lab_require || exit 1
lab_init hcap || exit 1
. "$srcdir/tests/lib/heartbeat.sh"
lab_trap
hblab_use 1 2 || exit 1
lab_setup || exit 1

conf=$LAB_DIR/conf
ev=$out/events.txt
: > "$ev"
mark() { echo "$(date +%s.%N | cut -c1-14) $*" | tee -a "$ev"; }

for n in 1 2; do
	mkdir -p "$conf$n"
	peer=$((3 - n))
	eval "pip=\$LAB_IP$peer phb=\$LAB_HB$peer"
	cat > "$conf$n/ha.cf" <<EOF
keepalive 1
warntime 2
deadtime 4
initdead 8
udpport 694
ucast eth0 $pip
ucast hb0 $phb
auto_failback $failback
node ha1 ha2
logfile /var/log/ha-log
debug 0
EOF
	echo "ha1 IPaddr::$LAB_VIP/$LAB_PLEN/eth0" > "$conf$n/haresources"
	printf 'auth 1\n1 %s\n' "$auth" > "$conf$n/authkeys"
	hblab_conf "$n" "$conf$n" || exit 1
done

cap=$LAB_DIR/hb.pcapng
_lab_bg "$LAB_DIR/tshark.log" "$LAB_CGI" ip netns exec "$LAB_NS1" \
    tshark -q -i any -f 'udp port 694' -w "$cap"
tpid=$_lab_pid
sleep 2

active() { hblab_node_is "$1" "ha$((3 - $1))" active; }
vip() { lab_vip_on "$1"; }

mark "start heartbeat on ha1 and ha2"
hblab_start 1 & hblab_start 2 & wait
lab_wait 60 "ha1 to hold the VIP" vip 1
lab_wait 30 "both active" eval 'active 1 && active 2'
mark "steady state"
sleep 5
if [ "$scen" = full ]; then
	mark "hb_standby on ha1"
	hblab_standby 1
	lab_wait 30 "ha2 to hold the VIP" vip 2
	sleep 3
	mark "hb_takeover on ha1"
	hblab_takeover 1
	lab_wait 30 "ha1 to hold the VIP" vip 1
	sleep 3
	mark "30 % loss into ha2 for 6 s (retransmission requests)"
	lab_loss 2 30
	sleep 6
	lab_unloss 2
	sleep 3
	mark "kill -9 of ha1's heartbeat, links down (power-off)"
	lab_poweroff 1
	lab_wait 30 "ha2 to hold the VIP" vip 2
	mark "ha2 holds the VIP"
	sleep 2
	lab_poweron 1
	# the capture ran in ha1's netns, which survives the power cycle
	mark "ha1 boots, heartbeat starts"
	hblab_start 1
	lab_wait 60 "both active" eval 'active 1 && active 2'
	sleep 8
fi
mark "clean stop of ha2"
hblab_stop 2
sleep 3
mark "clean stop of ha1"
hblab_stop 1
sleep 2
lab_kill "$tpid" INT
lab_wait 10 "tshark to finish" _lab_not_alive "$tpid"
cp "$cap" "$out/hb.pcapng"
for n in 1 2; do cp "$(hblab_log "$n")" "$out/ha-log-ha$n" 2>/dev/null; done
tshark -r "$out/hb.pcapng" -T fields -e frame.time_epoch -e sll.pkttype \
    -e ip.src -e ip.dst -e udp.length -e data.data 2>/dev/null |
    python3 -c '
import sys
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if len(f) < 6 or not f[5]:
        continue
    data = bytes.fromhex(f[5].replace(":", ""))
    text = data.decode("latin-1").replace("\n", "|").replace("\0", "\\0")
    print(f[0][:14], f[2], ">", f[3], text)
' > "$out/hb.txt"
echo "captured $(wc -l < "$out/hb.txt") packets into $out"
