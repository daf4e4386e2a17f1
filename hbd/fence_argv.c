/*
 * fence_argv: the command line of a fence operation, built into arrays
 * the caller owns and whose sizes it passes. The only module that knows
 * how hbd's `fence` and heartbeat's `stonith_host` become an argv; it
 * runs nothing and keeps no state, so the configuration loader checks
 * every line with it at parse time and tests/fuzz/fuzz_fence.c drives it
 * with arbitrary parameter lists.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "fence.h"

static int
add(char **argv, int max, int *argc, const char *s)
{
	/* one slot is always kept for the terminating NULL */
	if (*argc >= max - 1)
		return -1;
	argv[(*argc)++] = (char *)s;
	return 0;
}

/*
 * stonith_host parameters: "-FFILE" becomes "-F FILE" (two slots), the
 * others are joined with spaces into one "-p" string in params.
 */
static int
stonith_argv(const struct conf_stonith *s, const char *node, char **argv,
    int max, int *argc, char *params, size_t plen)
{
	size_t	 used = 0, n;
	int	 i;

	if (plen == 0)
		return -1;
	params[0] = '\0';
	if (add(argv, max, argc, FENCE_STONITH_PATH) == -1 ||
	    add(argv, max, argc, "-t") == -1 ||
	    add(argv, max, argc, s->type) == -1)
		return -1;
	for (i = 0; i < s->nparams; i++) {
		if (strncmp(s->params[i], "-F", 2) == 0) {
			if (add(argv, max, argc, "-F") == -1 ||
			    add(argv, max, argc, s->params[i] + 2) == -1)
				return -1;
			continue;
		}
		n = strlen(s->params[i]);
		if (used + (used > 0) + n >= plen)
			return -1;	/* never a silently cut parameter */
		if (used > 0)
			params[used++] = ' ';
		memcpy(params + used, s->params[i], n + 1);
		used += n;
	}
	if (used > 0 && (add(argv, max, argc, "-p") == -1 ||
	    add(argv, max, argc, params) == -1))
		return -1;
	if (add(argv, max, argc, "-T") == -1 ||
	    add(argv, max, argc, "off") == -1 ||
	    add(argv, max, argc, node) == -1)
		return -1;
	return 0;
}

int
fence_argv(const struct conf *c, int stonith, const char *node, char **argv,
    int max, char *params, size_t plen)
{
	int	 argc = 0, i;

	if (max < 1)
		return -1;
	if (stonith < 0) {
		if (c->fence_argc <= 0)
			return -1;
		for (i = 0; i < c->fence_argc; i++)
			if (add(argv, max, &argc, c->fence_argv[i]) == -1)
				return -1;
		if (add(argv, max, &argc, "off") == -1 ||
		    add(argv, max, &argc, node) == -1)
			return -1;
	} else {
		if (stonith >= c->nstonith)
			return -1;
		if (stonith_argv(&c->stonith[stonith], node, argv, max, &argc,
		    params, plen) == -1)
			return -1;
	}
	argv[argc] = NULL;
	return argc;
}
