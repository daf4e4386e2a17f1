/*
 * fuzz_haresources: haresources as the input (groups, continuation
 * lines, IPaddr shorthand, ocf:PROVIDER:TYPE, :: arguments), with a fixed
 * valid ha.cf and authkeys beside it, through conf_load().
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
	fuzz_write("ha.cf", fuzz_good_hacf, strlen(fuzz_good_hacf));
	fuzz_write("authkeys", fuzz_good_authkeys, strlen(fuzz_good_authkeys));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("haresources", data, size);
	fuzz_conf_load(0);
	return 0;
}
