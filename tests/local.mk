## tests/local.mk — the test suite, included by the top Makefile.am.
## `make check` runs everything; system tests need root (they skip with the
## reason otherwise, and CI runs as root).

AM_TESTS_ENVIRONMENT = \
	srcdir='$(abs_top_srcdir)'; export srcdir; \
	builddir='$(abs_top_builddir)'; export builddir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir;

# --- unit tests (cmocka), linked against the modules that ship ---
UNIT_TESTS = \
	tests/unit/test_auth \
	tests/unit/test_hb_msg \
	tests/unit/test_hb_classic \
	tests/unit/test_hb_compat \
	tests/unit/test_hbv1 \
	tests/unit/test_member \
	tests/unit/test_json \
	tests/unit/test_conf \
	tests/unit/test_state \
	tests/unit/test_export_pcmk
if HAVE_CMOCKA
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
else
# without cmocka the suite says SKIP and why, never just fewer tests
TESTS += tests/unit/no-cmocka.test
endif
EXTRA_DIST += tests/unit/no-cmocka.test
UNIT_LDADD = $(HBD_LIBS) $(CMOCKA_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -Wno-missing-prototypes
tests_unit_test_auth_LDADD = $(UNIT_LDADD)
tests_unit_test_auth_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hb_msg_LDADD = $(UNIT_LDADD)
tests_unit_test_hb_msg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hb_classic_LDADD = $(UNIT_LDADD)
tests_unit_test_hb_classic_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hb_compat_LDADD = $(UNIT_LDADD)
tests_unit_test_hb_compat_CFLAGS = $(UNIT_CFLAGS)
# what compat heartbeat sends is kept by the test itself
tests_unit_test_hb_compat_LDFLAGS = -Wl,--wrap=media_send_all
tests_unit_test_hbv1_LDADD = $(UNIT_LDADD)
tests_unit_test_hbv1_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_member_LDADD = $(UNIT_LDADD)
tests_unit_test_member_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_LDADD = $(UNIT_LDADD)
tests_unit_test_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
tests_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_LDADD = $(UNIT_LDADD)
tests_unit_test_state_CFLAGS = $(UNIT_CFLAGS)
# fsync made slow (a throttled disk) by the test itself
tests_unit_test_state_LDFLAGS = -Wl,--wrap=fsync
tests_unit_test_export_pcmk_LDADD = $(UNIT_LDADD)
tests_unit_test_export_pcmk_CFLAGS = $(UNIT_CFLAGS)

# --- the decision core links no I/O, clock or process call ---
TESTS += tests/unit/core-purity.test
EXTRA_DIST += tests/unit/core-purity.test

# --- the deterministic simulator of the decision core (issue 15) ---
include tests/sim/local.mk

# --- configuration tests through hbd -n ---
TESTS += tests/conf/conf.test tests/conf/equiv.test tests/conf/corpus.test \
	tests/conf/export.test
EXTRA_DIST += tests/conf/conf.test tests/conf/equiv.test tests/conf/corpus.test \
	tests/conf/corpus tests/conf/bad \
	tests/conf/good tests/conf/export.test tests/conf/cib-facts.py

# --- resource agents (real ip, mounts, apache2, ganesha; root) ---
TESTS += $(AGENT_TESTS)
EXTRA_DIST += $(AGENT_TESTS) $(HBD_AGENT_TEST_FILES)

# --- the MIB under smilint, every name resolvable ---
TESTS += tests/snmp/smilint.test
EXTRA_DIST += tests/snmp/smilint.test tests/snmp/fetch-base-mibs.sh
clean-local: clean-local-snmp
clean-local-snmp:
	rm -rf tests/snmp/base-mibs

# --- the two-node lab (tests/lib/lab.sh) and its tools ---
include tests/tools/local.mk
LAB_TESTS = tests/lab/lab-selftest.test tests/lab/lab-trap.test
TESTS += $(LAB_TESTS)
EXTRA_DIST += $(LAB_TESTS)

# --- system tests: two real hbd nodes in the lab (root) ---
SYSTEM_TESTS = \
	tests/system/10-membership.test \
	tests/system/11-death.test \
	tests/system/12-bad-packets.test \
	tests/system/13-late-heartbeat.test \
	tests/system/14-replay-restart.test \
	tests/system/15-hostile-names.test \
	tests/system/20-classic-failover.test \
	tests/system/21-nfs-failover.test \
	tests/system/22-resource-failures.test \
	tests/system/23-startup-adopt.test \
	tests/system/24-ping.test \
	tests/system/25-ocf-agents.test \
	tests/system/26-reload.test \
	tests/system/27-stop-retry.test \
	tests/system/28-heartbeat-scripts.test \
	tests/system/28-ping-forged.test \
	tests/system/29-resource-timing.test \
	tests/system/30-control.test \
	tests/system/31-cl-status-heartbeat.test \
	tests/system/31-control-limits.test \
	tests/system/40-partition-fence.test \
	tests/system/41-partition-ping.test \
	tests/system/42-partition-heal.test \
	tests/system/43-fence-failure.test \
	tests/system/44-disk-heartbeat.test \
	tests/system/45-stonith-host.test \
	tests/system/46-fence-scope.test \
	tests/system/50-snmp-traps.test \
	tests/system/60-supervision.test \
	tests/system/61-crash-leftovers.test \
	tests/system/62-file-safety.test \
	tests/system/70-heartbeat-peer.test \
	tests/system/70-pacemaker.test \
	tests/system/71-rolling-migration.test \
	tests/system/72-compat-heartbeat.test \
	tests/system/73-heartbeat-media.test \
	tests/system/74-heartbeat-handoff.test
TESTS += $(SYSTEM_TESTS)
EXTRA_DIST += $(SYSTEM_TESTS) tests/system/agents/testrsc tests/system/agents/sleeper \
	tests/lib/heartbeat.sh scripts/hb-capture.sh bench/lib.sh bench/reaper.c
# 70-pacemaker: three nodes with Corosync and Pacemaker, the benchmark's probe
EXTRA_DIST += tests/lib/pcmk.sh bench/probe.c

# --- libFuzzer: every parser, briefly, plus the regression inputs ---
TESTS += tests/fuzz/fuzz.test
EXTRA_DIST += tests/fuzz
clean-local: clean-local-fuzz
clean-local-fuzz:
	rm -rf tests/fuzz/build

# --- chaos, crash recovery, sanitizers, valgrind ---
include tests/chaos/local.mk
include tests/sanitize/local.mk

# --- install layout, units, Debian packages, monitoring templates ---
include tests/ecosystem/local.mk

# --- the README's demo, non-interactively ---
TESTS += tests/demo/demo.test
EXTRA_DIST += tests/demo/demo.test scripts/demo.sh demo/www/index.html \
	demo/www/hostname.html.in scripts/install-deps.sh scripts/build.sh \
	scripts/test.sh
