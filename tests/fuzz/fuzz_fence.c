/*
 * fuzz_fence: the fence command-line builder (hbd/fence_argv.c) with
 * parameter lists no parser filtered: any number of words of any bytes,
 * arrays of any size from 0 to past FENCE_ARGV_MAX, on the heap so that
 * ASan sees a write one slot too far. Properties: a result either fits
 * (NULL-terminated, every word where a model of heartbeat's `stonith`
 * command line puts it, the -p string the exact join) or is refused,
 * and it is refused exactly when the model says it does not fit; what
 * the configuration loader accepts (HBD_MAX_STONITH_PARAMS words whose
 * join is shorter than FENCE_PARAMS_MAX) always fits FENCE_ARGV_MAX.
 *
 * Input: byte 0 picks the mode (even: a stonith_host line, odd: a `fence`
 * program), byte 1 the argv size, byte 2 the params size; the rest is
 * words separated by NUL bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fence.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_WORDS	80

static int
model_stonith(char **w, int n, size_t *join)
{
	int	 slots = 3 + 3, i;	/* stonith -t TYPE ... -T off NODE */

	*join = 0;
	for (i = 0; i < n; i++) {
		if (strncmp(w[i], "-F", 2) == 0)
			slots += 2;
		else
			*join += (*join > 0) + strlen(w[i]);
	}
	if (*join > 0)
		slots += 2;
	return slots;
}

static void
check_stonith(const struct conf_stonith *s, char **argv, int n,
    const char *params)
{
	char	 join[4096];
	size_t	 used = 0;
	int	 a = 3, i;

	FUZZ_CHECK(strcmp(argv[0], FENCE_STONITH_PATH) == 0);
	FUZZ_CHECK(strcmp(argv[1], "-t") == 0 && argv[2] == s->type);
	join[0] = '\0';
	for (i = 0; i < s->nparams; i++) {
		if (strncmp(s->params[i], "-F", 2) == 0) {
			FUZZ_CHECK(strcmp(argv[a], "-F") == 0);
			FUZZ_CHECK(argv[a + 1] == s->params[i] + 2);
			a += 2;
			continue;
		}
		if (used > 0)
			join[used++] = ' ';
		memcpy(join + used, s->params[i], strlen(s->params[i]) + 1);
		used += strlen(s->params[i]);
	}
	if (used > 0) {
		FUZZ_CHECK(strcmp(argv[a], "-p") == 0 && argv[a + 1] == params);
		FUZZ_CHECK(strcmp(params, join) == 0);
		a += 2;
	}
	FUZZ_CHECK(strcmp(argv[a], "-T") == 0);
	FUZZ_CHECK(strcmp(argv[a + 1], "off") == 0);
	FUZZ_CHECK(a + 3 == n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf	 c;
	char			*buf, *w[MAX_WORDS], **argv, *params;
	size_t			 join = 0, plen;
	int			 nw = 0, max, need, n, i, stonith;
	size_t			 off;

	if (size < 3)
		return 0;
	stonith = (data[0] & 1) == 0;
	max = 1 + data[1] % (FENCE_ARGV_MAX + 8);
	plen = 1 + (size_t)data[2] * 8 % (FENCE_PARAMS_MAX + 64);
	buf = malloc(size - 2);
	if (buf == NULL)
		abort();
	memcpy(buf, data + 3, size - 3);
	buf[size - 3] = '\0';
	for (off = 0; off < size - 2 && nw < MAX_WORDS;
	    off += strlen(buf + off) + 1)
		w[nw++] = buf + off;

	memset(&c, 0, sizeof(c));
	strcpy(c.nodes[0], "ha2");
	c.nnodes = 1;
	if (stonith) {
		if (nw < 1) {
			free(buf);
			return 0;
		}
		c.stonith[0].from = "*";
		c.stonith[0].type = w[0];
		c.stonith[0].params = w + 1;
		c.stonith[0].nparams = nw - 1;
		c.nstonith = 1;
		need = model_stonith(w + 1, nw - 1, &join) + 1;
	} else {
		c.fence_argc = nw > HBD_MAX_FENCE_ARGS ? HBD_MAX_FENCE_ARGS :
		    nw;
		if (c.fence_argc == 0) {
			free(buf);
			return 0;
		}
		for (i = 0; i < c.fence_argc; i++)
			c.fence_argv[i] = w[i];
		need = c.fence_argc + 2 + 1;
	}
	/* exactly the sizes passed: a write past them is an ASan report */
	argv = malloc((size_t)max * sizeof(char *));
	params = malloc(plen);
	if (argv == NULL || params == NULL)
		abort();
	n = fence_argv(&c, stonith ? 0 : -1, c.nodes[0], argv, max, params,
	    plen);
	if (need <= max && (!stonith || join < plen)) {
		FUZZ_CHECK(n == need - 1);
		FUZZ_CHECK(argv[n] == NULL);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(argv[i] != NULL);
		FUZZ_CHECK(strcmp(argv[n - 1], "ha2") == 0);
		if (stonith)
			check_stonith(&c.stonith[0], argv, n, params);
		else
			for (i = 0; i < c.fence_argc; i++)
				FUZZ_CHECK(argv[i] == c.fence_argv[i]);
	} else
		FUZZ_CHECK(n == -1);
	/* what the loader accepts always fits what fence_run passes */
	if (stonith && nw - 1 <= HBD_MAX_STONITH_PARAMS &&
	    join < FENCE_PARAMS_MAX)
		FUZZ_CHECK(need <= FENCE_ARGV_MAX);
	if (!stonith)
		FUZZ_CHECK(need <= FENCE_ARGV_MAX);
	free(argv);
	free(params);
	free(buf);
	return 0;
}
