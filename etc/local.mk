## etc/local.mk — what `make install` lays out beside the programs, man
## pages, agents and MIB: sample configurations, systemd units, logrotate,
## the snmpd snippet (disabled), and the monitoring templates (Nagios,
## SNMPTT, Zabbix). Included at the end of the top Makefile.am.
## docs/install.md describes the result; tests/ecosystem/install.test
## checks it.

# --- sample configurations (tests/conf/equiv.test: hbd.conf = the rest) ---
examplesdir = $(docdir)/examples
dist_examples_DATA = etc/ha.cf etc/haresources etc/authkeys etc/hbd.conf

# --- systemd units, generated for this build's sbindir ---
# Debian 12 packages pass systemdsystemunitdir=/lib/systemd/system.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = etc/systemd/hbd.service
if BUILD_SNMP
systemdsystemunit_DATA += etc/systemd/hbd-snmp.service
endif
EXTRA_DIST += etc/systemd/hbd.service.in etc/systemd/hbd-snmp.service.in
CLEANFILES += etc/systemd/hbd.service etc/systemd/hbd-snmp.service

etc/systemd/hbd.service: $(srcdir)/etc/systemd/hbd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/etc/systemd/hbd.service.in \
	    >$@.tmp && mv $@.tmp $@
etc/systemd/hbd-snmp.service: $(srcdir)/etc/systemd/hbd-snmp.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    $(srcdir)/etc/systemd/hbd-snmp.service.in >$@.tmp && mv $@.tmp $@

# --- files under $(sysconfdir): installed only where none is, so that
# `make install` never overwrites an operator's edits; `make uninstall`
# removes them only while they are unchanged ---
#   logrotate.d/hbd             heartbeat's logfile/debugfile
#   snmp/snmpd.conf.d/hbd.conf  the snmpd snippet with every line commented
#                               out: live, the example would enable its
#                               placeholder community and SNMPv3 passwords.
#                               The active example stays in
#                               $(docdir)/examples/snmpd.conf.d/.
EXTRA_DIST += etc/logrotate.d/hbd
HBD_ETC = logrotate.d/hbd:$(srcdir)/etc/logrotate.d/hbd:644
if BUILD_SNMP
HBD_ETC += snmp/snmpd.conf.d/hbd.conf:etc/snmp/disabled/hbd.conf:640
HBD_ETC_BUILT = etc/snmp/disabled/hbd.conf
endif
CLEANFILES += etc/snmp/disabled/hbd.conf

etc/snmp/disabled/hbd.conf: $(srcdir)/etc/snmp/snmpd.conf.d/hbd.conf Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/snmp/disabled && { \
	echo '# DISABLED: every directive is commented out with "#off ". Replace'; \
	echo '# each CHANGE-ME and 192.0.2.x, then enable the directives with'; \
	echo "#   sed -i 's/^#off //' $(sysconfdir)/snmp/snmpd.conf.d/hbd.conf"; \
	echo '# (or one by one) and restart snmpd.'; \
	sed -e 's/^\([^#]\)/#off \1/' $(srcdir)/etc/snmp/snmpd.conf.d/hbd.conf; \
	} >$@.tmp && mv $@.tmp $@

install-data-local: install-hbd-etc
install-hbd-etc: $(HBD_ETC_BUILT)
	@for e in $(HBD_ETC); do \
		f=$${e%%:*}; r=$${e#*:}; src=$${r%%:*}; mode=$${r#*:}; \
		dst="$(DESTDIR)$(sysconfdir)/$$f"; \
		if test -f "$$dst" && ! cmp -s "$$src" "$$dst"; then \
			echo " $$dst exists and differs: kept, not replaced"; \
			continue; \
		fi; \
		$(MKDIR_P) "`dirname "$$dst"`" || exit 1; \
		echo " $(INSTALL_DATA) -m $$mode $$src $$dst"; \
		$(INSTALL_DATA) -m $$mode "$$src" "$$dst" || exit 1; \
	done

# uninstall-local's recipe is in Makefile.am (the OCF links): add to it
uninstall-local: uninstall-hbd-etc
uninstall-hbd-etc: $(HBD_ETC_BUILT)
	@for e in $(HBD_ETC); do \
		f=$${e%%:*}; r=$${e#*:}; src=$${r%%:*}; \
		dst="$(DESTDIR)$(sysconfdir)/$$f"; \
		test -f "$$dst" || continue; \
		if cmp -s "$$src" "$$dst"; then rm -f "$$dst"; \
		else echo " $$dst was edited: left in place"; fi; \
	done

# --- monitoring: templates for the monitoring server ---
# Nagios/Icinga objects (check_snmp and hbctl check), SNMPTT's conversion
# of HBD-MIB's notifications (tests/ecosystem/snmptt.test keeps it in sync
# with the MIB), the script SNMPTT runs to pass a trap to Nagios, and the
# Zabbix 6.0 template. docs/monitoring.md explains them.
nagiosdir = $(pkgdatadir)/nagios
dist_nagios_DATA = etc/nagios/hbd-commands.cfg etc/nagios/hbd-services.cfg
snmpttdir = $(pkgdatadir)/snmptt
dist_snmptt_DATA = etc/snmptt/hbd.snmptt.conf
dist_pkglibexec_SCRIPTS = etc/snmptt/hbd-submit-trap
zabbixdir = $(pkgdatadir)/zabbix
dist_zabbix_DATA = etc/zabbix/hbd_template.yaml

# the Debian packaging (docs/install.md and docs/monitoring.md describe it all)
EXTRA_DIST += debian
