#!/bin/sh
# tests/sanitize/exit-run.sh — a failover scenario that ends with a clean
# SIGTERM of both daemons, so a memory checker sees hbd's state at exit
# after real work. Used by asan.test (LeakSanitizer at exit) and
# valgrind.test (HBD points to a valgrind wrapper). Not a test by itself.
#
# The classic setup (VIP + shared ext4 disk + apache2) with the lab fence;
# both nodes start; event subscribers on both; standby and takeover; a good
# reload and a refused one; hostile control clients; ha1 stopped with
# SIGTERM (ha2 takes over), started again (failback); then both stopped
# with SIGTERM. Timing comes from HB_* in the environment (a slow checker
# needs a longer deadtime); EXIT_WAIT is how long a SIGTERM may take.
. "$srcdir/tests/lib/lab.sh"
why=$(lab_require socat jq curl apache2 arping) || { echo "SKIP: $why"; exit 77; }
lab_init "hbx$$"
lab_trap
lab_setup || exit 1
lab_disk_create ext4 || exit 1
. "$srcdir/tests/lib/hbd.sh"
fail() { echo "FAIL: $*"; exit 1; }
W=${EXIT_WAIT:-30}
S=${START_WAIT:-30}

hbd_classic
HB_EXTRA="$(hbd_lab_fence_line)
fence_delay 1"
hbd_conf 1 && hbd_conf 2 || fail config
hbd_start 1 && hbd_start 2 || fail start
lab_wait "$S" "ha1 to serve" hbd_served_by ha1 || fail "ha1 does not serve"
hbd_wait_group 2 10.88.0.100/24/eth0 ha1 started "$S" || fail "ha2's view"
hbd_events_start 1
hbd_events_start 2
echo "ok: ha1 serves"

hbctl_n 1 standby --wait "$S" > /dev/null || fail "standby on ha1"
lab_wait "$S" "ha2 to serve" hbd_served_by ha2 || fail "ha2 does not serve"
hbctl_n 1 takeover --wait "$S" > /dev/null || fail "takeover on ha1"
lab_wait "$S" "ha1 to serve" hbd_served_by ha1 || fail "ha1 does not serve again"
echo "ok: standby and takeover"

for n in 1 2; do hbctl_n $n reload > /dev/null || fail "reload on ha$n"; done
cp "$LAB_DIR/ha2/conf/ha.cf" "$LAB_DIR/ha.cf.good"
echo "deadtime 3x" >> "$LAB_DIR/ha2/conf/ha.cf"
hbctl_n 2 reload > /dev/null 2>&1 && fail "a broken reload was accepted"
cp "$LAB_DIR/ha.cf.good" "$LAB_DIR/ha2/conf/ha.cf"
for i in 1 2 3 4 5; do
	hbctl_n 1 --json status > /dev/null || fail "status"
	hbctl_n 2 status > /dev/null || fail "status"
done
if [ -x "$LAB_TOOLS/ctl-abuse" ]; then
	lab_exec 1 "$LAB_TOOLS/ctl-abuse" "$HB_SOCK" garbage > /dev/null 2>&1
	lab_exec 1 "$LAB_TOOLS/ctl-abuse" "$HB_SOCK" oversize > /dev/null 2>&1
	lab_exec 1 "$LAB_TOOLS/ctl-abuse" "$HB_SOCK" slow 2000 > /dev/null 2>&1
fi
hbd_running 1 && hbd_running 2 || fail "a daemon died on control traffic"
echo "ok: reloads, status queries, hostile control clients"

hbd_stop 1 "$W" || fail "SIGTERM ha1"
lab_wait "$S" "ha2 to serve" hbd_served_by ha2 || fail "ha2 does not take over"
hbd_start 1 || fail "restart ha1"
lab_wait "$S" "ha1 to serve (failback)" hbd_served_by ha1 || fail "no failback"
echo "ok: SIGTERM on the owner, restart, failback"

hbd_stop 2 "$W" || fail "SIGTERM ha2"
hbd_stop 1 "$W" || fail "SIGTERM ha1"
echo "PASS: exit run"
