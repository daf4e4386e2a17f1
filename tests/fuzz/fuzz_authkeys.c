/*
 * fuzz_authkeys: authkeys as the input, with a fixed valid ha.cf and
 * haresources beside it, through conf_load() (permission check off: the
 * file is ours). A loaded configuration must be able to sign and verify
 * a heartbeat with its "auth N" key (fuzz_common.c).
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
	fuzz_write("haresources", fuzz_good_haresources,
	    strlen(fuzz_good_haresources));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("authkeys", data, size);
	fuzz_conf_load(0);
	return 0;
}
