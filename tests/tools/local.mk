# Lab helpers for the system tests (tests/lib/lab.sh finds them through
# $LAB_TOOLS, default $builddir/tests/tools).  Included from the top-level
# Makefile.am, which must set "check_PROGRAMS =" and "EXTRA_DIST =" before
# this fragment.  The lab's own tests, for the lead to list:
#	TESTS += tests/lab/lab-selftest.test tests/lab/lab-trap.test
#	EXTRA_DIST += tests/lab/lab-selftest.test tests/lab/lab-trap.test
# They need root and exit 77 (with the reason) without it.
check_PROGRAMS += tests/tools/nfq-delay tests/tools/lab-sampler

tests_tools_nfq_delay_SOURCES = tests/tools/nfq-delay.c
tests_tools_nfq_delay_LDADD = -lnetfilter_queue -lnfnetlink

tests_tools_lab_sampler_SOURCES = tests/tools/lab-sampler.c

EXTRA_DIST += tests/lib/lab.sh tests/lib/README.md

# hostile heartbeats (wrong keys, replays, garbage) for the system tests
check_PROGRAMS += tests/tools/hb-inject
tests_tools_hb_inject_SOURCES = tests/tools/hb-inject.c
tests_tools_hb_inject_LDADD = $(HBD_LIBS)
EXTRA_DIST += tests/tools/lab-fence tests/lib/hbd.sh

# misbehaving control-socket clients
check_PROGRAMS += tests/tools/ctl-abuse
tests_tools_ctl_abuse_SOURCES = tests/tools/ctl-abuse.c

# blind forged ICMP echo replies (ping nodes)
check_PROGRAMS += tests/tools/icmp-forge
tests_tools_icmp_forge_SOURCES = tests/tools/icmp-forge.c

# the benchmark's HTTP client (a new connection every few ms, overlapping):
# the demo's view of the service
check_PROGRAMS += tests/tools/http-probe
tests_tools_http_probe_SOURCES = bench/probe.c
