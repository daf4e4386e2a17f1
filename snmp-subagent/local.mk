## snmp-subagent/local.mk — hbd-snmp, the AgentX subagent (HBD-MIB).
## Included by the top Makefile.am inside `if BUILD_SNMP`.
##
## net-snmp's headers (5.9) compile clean under the project's WARN_CFLAGS,
## so no -Wno- flags are needed; should a newer net-snmp need some, they
## belong in snmp_subagent_hbd_snmp_CFLAGS only.

sbin_PROGRAMS += snmp-subagent/hbd-snmp
snmp_subagent_hbd_snmp_SOURCES = \
	snmp-subagent/hbd-snmp.c \
	snmp-subagent/agentx.c snmp-subagent/agentx.h \
	snmp-subagent/cache.c snmp-subagent/cache.h \
	snmp-subagent/hbdlink.c snmp-subagent/hbdlink.h \
	snmp-subagent/mib.c snmp-subagent/mib.h \
	snmp-subagent/mib_daemon.c \
	snmp-subagent/mib_nodes.c \
	snmp-subagent/mib_groups.c \
	snmp-subagent/traps.c snmp-subagent/traps.h
snmp_subagent_hbd_snmp_CFLAGS = $(AM_CFLAGS) $(SNMP_CFLAGS)
snmp_subagent_hbd_snmp_LDADD = libhbdcommon.a $(SNMP_LIBS)

# the system test (real snmpd, hbd and snmptrapd in namespaces; root),
# its lab helper, and the benchmark (run by hand, not by make check)
TESTS += tests/snmp/subagent.test tests/snmp/nonblocking.test
EXTRA_DIST += tests/snmp/subagent.test tests/snmp/nonblocking.test \
	tests/snmp/snmplab.sh \
	tests/bench/snmp-bench.sh

# the manual page (man/local.mk leaves it to this build) and the snmpd
# snippet, shipped as an example: installed live it would enable the
# placeholder community and passwords
dist_man8_MANS += man/hbd-snmp.8
snmpexampledir = $(docdir)/examples/snmpd.conf.d
dist_snmpexample_DATA = etc/snmp/snmpd.conf.d/hbd.conf
