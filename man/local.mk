## man/local.mk — the manual pages, included by the top Makefile.am
## (include man/local.mk).  The pages are mdoc(7); check them with
##   mandoc -T lint -W warning man/*.[58]
## cl_status.8, hb_standby.8 and hb_takeover.8 are ".so man8/hbctl.8"
## stubs, so that "man cl_status" finds hbctl's page.
## man/hbd-snmp.8 is added to dist_man8_MANS by the SNMP subagent's build.

dist_man5_MANS = \
	man/authkeys.5 \
	man/ha.cf.5 \
	man/haresources.5 \
	man/hbd.conf.5

dist_man8_MANS = \
	man/hbd.8 \
	man/hbctl.8 \
	man/fence_hbd.8 \
	man/cl_status.8 \
	man/hb_standby.8 \
	man/hb_takeover.8
