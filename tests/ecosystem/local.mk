## tests/ecosystem/local.mk — hbd in the operator's world: install layout,
## systemd units, logrotate, the Debian package, Nagios, SNMPTT, Zabbix and
## `hbctl check`. Included by tests/local.mk (include
## tests/ecosystem/local.mk). Tests that need root or a package skip (77)
## with the reason.
ECOSYSTEM_TESTS = \
	tests/ecosystem/install-deps.test \
	tests/ecosystem/install.test \
	tests/ecosystem/check.test \
	tests/ecosystem/snmptt.test \
	tests/ecosystem/zabbix.test \
	tests/ecosystem/nagios.test \
	tests/ecosystem/deb.test \
	tests/ecosystem/two-machines.test
TESTS += $(ECOSYSTEM_TESTS)
EXTRA_DIST += $(ECOSYSTEM_TESTS) tests/ecosystem/eco.sh
