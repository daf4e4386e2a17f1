/*
 * export_pcmk: what the export says about awkward configurations, on the
 * model conf_load() builds: quoting in every format (XML attributes, XML
 * and "#" comments that may not hold "--", shell words, crmsh values),
 * unique ids, stickiness, the fence mappings, NOT EXPORTED in every format
 * and its count, the format and target names, the control command.
 * crm_verify and crmsh check the real outputs in tests/conf/export.test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "export_pcmk.h"
#include "json.h"
#include "util.h"

static char	 dir[64];

static void
put(const char *name, const char *text, int mode)
{
	char	 p[128];
	FILE	*f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
}

static int
setup(void **state)
{
	strcpy(dir, "/tmp/hbd-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("authkeys", "auth 1\n1 sha256 a-long-enough-secret-123\n", 0600);
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* ha.cf with EXTRA lines, haresources HR; the loaded model */
static struct conf *
load(const char *extra, const char *hr)
{
	struct conf_opts	 o;
	struct conf_diag	 d;
	struct conf		*c;
	char			 hacf[2048];

	snprintf(hacf, sizeof(hacf), "keepalive 1\ndeadtime 10\n"
	    "bcast lo\nnode ha1 ha2\n%s", extra);
	put("ha.cf", hacf, 0644);
	put("haresources", hr, 0644);
	memset(&o, 0, sizeof(o));
	o.confdir = dir;
	o.local = "ha1";
	o.agentdir = "/nonexistent";
	c = conf_load(&o, &d);
	if (c == NULL)
		conf_diag_print(&d, stderr);
	conf_diag_free(&d);
	assert_non_null(c);
	return c;
}

static char *
export(const struct conf *c, unsigned f, int *unmapped)
{
	struct buf	 b;
	char		*s;
	int		 n;

	buf_init(&b);
	n = export_pcmk(c, f, &b);
	if (unmapped)
		*unmapped = n;
	s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* no XML comment holds "--" or ends in "-" */
static void
assert_comments_ok(const char *s)
{
	const char	*p = s, *end;

	while ((p = strstr(p, "<!--")) != NULL) {
		p += 4;
		assert_non_null(end = strstr(p, "-->"));
		for (; p < end; p++)
			assert_false(p[0] == '-' && p[1] == '-');
		assert_true(end[-1] != '-');
		p = end + 3;
	}
}

/* no "#" comment line holds "--" (crmsh keeps them as XML comments) */
static void
assert_lines_ok(const char *s)
{
	const char	*p = s, *nl;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (*p == '#') {
			const char	*q;

			for (q = p; q < nl; q++)
				assert_false(q[0] == '-' && q[1] == '-' &&
				    q + 1 < nl);
			assert_true(nl[-1] != '-');
		}
		if (*nl == '\0')
			break;
	}
}

static void
test_quoting(void **state)
{
	struct conf	*c = load("", "ha1 ocf:heartbeat:Dummy::state=/r/a&b<c\"d'e "
	    "Dummy::x--y-\n");
	char		*cib = export(c, PCMK_CIB, NULL);
	char		*pcs = export(c, PCMK_PCS, NULL);
	char		*crm = export(c, PCMK_CRM, NULL);

	assert_non_null(strstr(cib, "value=\"/r/a&amp;b&lt;c&quot;d&apos;e\""));
	assert_null(strstr(cib, "a&b"));
	assert_comments_ok(cib);
	assert_non_null(strstr(pcs, "'state=/r/a&b<c\"d'\\''e'"));
	assert_lines_ok(pcs);
	assert_non_null(strstr(crm, "state=\"/r/a&b<c\\\"d'e\""));
	assert_lines_ok(crm);
	/* a plain value stays bare */
	assert_non_null(strstr(crm, "params name=x--y-"));
	free(cib);
	free(pcs);
	free(crm);
	conf_free(c);
}

static void
test_ids(void **state)
{
	struct conf	*c = load("", "ha1 10.0.0.1 10.0.0.2 Dummy\n"
	    "ha2 Dummy::a-very-long-name-that-goes-on-and-on-1\n"
	    "ha2 Dummy::a-very-long-name-that-goes-on-and-on-2\n");
	char		*cib = export(c, PCMK_CIB, NULL);
	char		*crm = export(c, PCMK_CRM, NULL);

	assert_non_null(strstr(cib, "<primitive id=\"hbd-10.0.0.1-IPaddr\""));
	assert_non_null(strstr(cib, "<primitive id=\"hbd-10.0.0.1-IPaddr-2\""));
	/* ids start with a letter: "hbd-" before an address */
	assert_non_null(strstr(cib, "<group id=\"hbd-10.0.0.1\""));
	/* names cut at 32 characters, then made unique */
	assert_non_null(strstr(cib, "<group id=\"hbd-Dummy_a-very-long-name-that-goe\""));
	assert_non_null(strstr(cib, "<group id=\"hbd-Dummy_a-very-long-name-that-goe-2\""));
	/* group order as written */
	assert_non_null(strstr(crm, "group hbd-10.0.0.1 hbd-10.0.0.1-IPaddr "
	    "hbd-10.0.0.1-IPaddr-2 hbd-10.0.0.1-Dummy\n"));
	assert_non_null(strstr(crm, "location hbd-10.0.0.1-prefers-ha1 "
	    "hbd-10.0.0.1 100: ha1\n"));
	free(cib);
	free(crm);
	conf_free(c);
}

static void
test_stickiness(void **state)
{
	struct conf	*c = load("auto_failback off\n", "ha1 Dummy\n");
	char		*cib = export(c, PCMK_CIB, NULL);

	assert_non_null(strstr(cib, "name=\"resource-stickiness\" "
	    "value=\"INFINITY\""));
	assert_non_null(strstr(cib, "name=\"stonith-enabled\" value=\"false\""));
	free(cib);
	conf_free(c);
	c = load("auto_failback on\nmax_restarts 0\n", "ha1 Dummy\n");
	cib = export(c, PCMK_CIB, NULL);
	assert_non_null(strstr(cib, "name=\"resource-stickiness\" value=\"0\""));
	assert_non_null(strstr(cib, "name=\"migration-threshold\" value=\"1\""));
	free(cib);
	conf_free(c);
}

static void
test_unmapped(void **state)
{
	struct conf	*c = load("serial /dev/ttyS0\n",
	    "ha1 Dummy drbddisk::r0 mytool::a::b\n");
	unsigned	 f[] = { PCMK_CIB, PCMK_PCS, PCMK_CRM };
	int		 n, i;
	char		*s;

	for (i = 0; i < 3; i++) {
		s = export(c, f[i], &n);
		/* drbddisk, mytool and the serial link */
		assert_int_equal(n, 3);
		assert_non_null(strstr(s, "NOT EXPORTED"));
		assert_non_null(strstr(s, "drbddisk::r0"));
		assert_non_null(strstr(s, "mytool::a::b"));
		assert_non_null(strstr(s, "serial heartbeat links"));
		/* the group stays, with what maps */
		assert_non_null(strstr(s, "Dummy"));
		free(s);
	}
	conf_free(c);
	/* nothing maps: no empty group, no constraint on it */
	c = load("", "ha1 mytool::x\n");
	s = export(c, PCMK_CIB, &n);
	assert_int_equal(n, 2);
	assert_null(strstr(s, "<group"));
	assert_null(strstr(s, "<rsc_location"));
	free(s);
	conf_free(c);
}

static void
test_fence(void **state)
{
	struct conf	*c = load("fence /usr/sbin/fence_ipmilan --ip=192.0.2.9 "
	    "--lanplus --username admin -x\nfence_delay 2\n", "ha1 Dummy\n");
	char		*cib = export(c, PCMK_CIB, NULL);
	int		 n;

	assert_non_null(strstr(cib, "class=\"stonith\" type=\"fence_ipmilan\""));
	assert_non_null(strstr(cib, "name=\"ip\" value=\"192.0.2.9\""));
	assert_non_null(strstr(cib, "name=\"lanplus\" value=\"1\""));
	assert_non_null(strstr(cib, "name=\"username\" value=\"admin\""));
	assert_non_null(strstr(cib, "name=\"pcmk_host_list\" value=\"ha1 ha2\""));
	assert_non_null(strstr(cib, "name=\"stonith-enabled\" value=\"true\""));
	assert_non_null(strstr(cib, "name=\"priority-fencing-delay\" "
	    "value=\"2s\""));
	assert_non_null(strstr(cib, "name=\"priority\" value=\"1\""));
	free(cib);
	cib = export(c, PCMK_CIB, &n);
	assert_int_equal(n, 1);		/* -x */
	free(cib);
	conf_free(c);

	c = load("fence /opt/lab/power-off --lab x\nfence_delay 2500ms\n",
	    "ha1 Dummy\n");
	cib = export(c, PCMK_PCS, NULL);
	/* pcs checks properties in whole seconds: forced, and said why */
	assert_non_null(strstr(cib, "\npcs -f \"$CIB\" property set --force "
	    "priority-fencing-delay=2500ms\n"));
	assert_non_null(strstr(cib, "--no-default-ops"));
	assert_non_null(strstr(cib, "stonith create hbd-fence fence_hbd"));
	free(cib);
	cib = export(c, PCMK_CIB, NULL);
	assert_non_null(strstr(cib, "type=\"fence_hbd\""));
	assert_non_null(strstr(cib, "name=\"program\" value=\"/opt/lab/power-off "
	    "--lab x\""));
	free(cib);
	conf_free(c);

	c = load("stonith_host * external/ipmi ha2 192.0.2.7 root pw lanplus\n"
	    "stonith_host * baytech -F/etc/x\n", "ha1 Dummy\n");
	cib = export(c, PCMK_CIB, &n);
	assert_int_equal(n, 1);		/* baytech */
	assert_non_null(strstr(cib, "type=\"fence_ipmilan\""));
	assert_non_null(strstr(cib, "name=\"password\" value=\"pw\""));
	assert_non_null(strstr(cib, "node=\"ha2\" score=\"-INFINITY\""));
	assert_non_null(strstr(cib, "baytech"));
	free(cib);
	conf_free(c);
}

static void
test_names(void **state)
{
	assert_int_equal(export_pcmk_format("cib"), PCMK_CIB);
	assert_int_equal(export_pcmk_format("crm"), PCMK_CRM);
	assert_int_equal(export_pcmk_format("all"), PCMK_ALL);
	assert_int_equal(export_pcmk_format("json"), -1);
	assert_int_equal(export_pcmk_target("pacemaker"), PCMK_CIB);
	assert_int_equal(export_pcmk_target("pcs"), PCMK_PCS);
	assert_int_equal(export_pcmk_target("crmsh"), PCMK_CRM);
	assert_int_equal(export_pcmk_target("corosync"), PCMK_COROSYNC);
	assert_int_equal(export_pcmk_target("heartbeat"), -1);
}

static void
test_command(void **state)
{
	struct conf	*c = load("", "ha1 Dummy\n");
	const char	*ok = "{\"cmd\":\"export\",\"what\":\"crmsh\"}";
	const char	*bad = "{\"cmd\":\"export\",\"what\":\"heartbeat\"}";
	struct jval	*req, *rep;
	struct buf	 b;
	struct jw	 w;
	char		 err[256];

	assert_non_null(req = json_parse(ok, strlen(ok), err, sizeof(err)));
	buf_init(&b);
	jw_init(&w, &b);
	jw_obj_begin(&w, NULL);
	assert_int_equal(export_pcmk_command(c, req, &w, err, sizeof(err)), 0);
	jw_obj_end(&w);
	assert_non_null(rep = json_parse(b.data, b.len, err, sizeof(err)));
	assert_string_equal(json_get_str(rep, "format"), "crm");
	assert_non_null(strstr(json_get_str(rep, "text"), "primitive "));
	json_free(rep);
	json_free(req);
	buf_free(&b);
	assert_non_null(req = json_parse(bad, strlen(bad), err, sizeof(err)));
	buf_init(&b);
	jw_init(&w, &b);
	assert_int_equal(export_pcmk_command(c, req, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown target"));
	json_free(req);
	buf_free(&b);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_quoting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stickiness, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
