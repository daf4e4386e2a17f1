/*
 * fuzz_hacf: ha.cf as the input, with a fixed valid haresources and
 * authkeys beside it, through conf_load() exactly as `hbd -n -c DIR`
 * reads it. A loaded configuration must satisfy the model's invariants
 * (fuzz_common.c); a refused one must say why.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_write("haresources", fuzz_good_haresources,
	    strlen(fuzz_good_haresources));
	fuzz_write("authkeys", fuzz_good_authkeys, strlen(fuzz_good_authkeys));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("ha.cf", data, size);
	fuzz_conf_load(0);
	return 0;
}
