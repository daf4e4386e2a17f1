/*
 * fuzz_hbdconf: hbd.conf (libconfig syntax) as the input, through
 * conf_load() exactly as `hbd -n -f FILE` reads it: libconfig's own
 * parser, then every setting turned into ha.cf/haresources/authkeys words
 * for the shared handlers. The authkeys permission check stays on, so an
 * `authkeys = "/some/host/file"` in the input is refused unless that file
 * is private to root, as in production.
 *
 * HBD_FUZZ_SKIP_INCLUDE=1 in the environment skips inputs containing
 * "@include": libconfig would open whatever path they name (see
 * regress/fuzz_hbdconf-include-dir for why that kills hbd).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int		 LLVMFuzzerInitialize(int *, char ***);
int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char	*__lsan_default_suppressions(void);

static int	 skip_include;

/*
 * libconfig 1.5's scanner leaks the text of a string token when the
 * grammar then fails (`""""S`, or an unterminated `"<"<`: a few bytes per
 * refused file). That is libconfig's, not hbd's, and bounded by the
 * number of reloads; hbd's own allocations never pass through it.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*e = getenv("HBD_FUZZ_SKIP_INCLUDE");

	skip_include = e != NULL && e[0] != '\0' && e[0] != '0';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (skip_include && memmem(data, size, "@include", 8) != NULL)
		return 0;
	fuzz_write("hbd.conf", data, size);
	fuzz_conf_load(1);
	return 0;
}
