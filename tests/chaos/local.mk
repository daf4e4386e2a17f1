## tests/chaos/local.mk — the chaos run and crash-recovery tests (issue 10),
## for the top Makefile.am to include (after tests/local.mk, which sets
## AM_TESTS_ENVIRONMENT). All need root and the lab; they skip otherwise.
##   chaos-quick.test      chaos.sh with seed 7 and one random seed, ~5 min
##   chaos-plan.test       a seed replays the same plan (chaos.sh --plan),
##                         chaos-quick prints its seed; no lab, ~2 s
##   state-recovery.test   lost, corrupt, unusable and full state dirs, ~30 s
##   fenced-node-reboot.test  after a partition the fenced node boots with
##                         its stale claim: the group stays put, ~20 s
##   placement-epoch.test, failed-start-peer-dies.test, adopt-no-failback.test,
##   adopt-stale-placement.test  regression tests of bugs the chaos run found
##                         (a corrupt placement epoch, a survivor that never
##                         retried a failed start, a restarted owner failing
##                         back, an adopted group stopped before the peer was
##                         heard); each was fixed with its test
## The long run is by hand: tests/chaos/chaos.sh --duration 3600 --report F
## (tests/chaos/REPORT-long.md is the last one).
CHAOS_TESTS = \
	tests/chaos/chaos-plan.test \
	tests/chaos/state-recovery.test \
	tests/chaos/fenced-node-reboot.test \
	tests/chaos/placement-epoch.test \
	tests/chaos/failed-start-peer-dies.test \
	tests/chaos/adopt-no-failback.test \
	tests/chaos/adopt-stale-placement.test \
	tests/chaos/chaos-quick.test
TESTS += $(CHAOS_TESTS)
EXTRA_DIST += $(CHAOS_TESTS) tests/chaos/chaos.sh tests/chaos/README.md \
	tests/chaos/REPORT-long.md
