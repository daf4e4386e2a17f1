/*
 * fuzz_common: what the libFuzzer targets share. A private temporary
 * directory per process for the configuration targets (created once,
 * files rewritten in place, removed at exit), a checked conf_load() run
 * with the model's invariants, and a failure helper that aborts so that
 * libFuzzer keeps the input. No target-specific logic here.
 */
#ifndef HBD_FUZZ_COMMON_H
#define HBD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* A property the code must keep: print why, then abort (a "crash"). */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond))						\
			fuzz_fail(__FILE__, __LINE__, #cond);		\
	} while (0)

void	fuzz_fail(const char *, int, const char *) __attribute__((noreturn));

/* Write (create or truncate) NAME in the process' private directory. */
void	fuzz_write(const char *name, const void *, size_t);

struct conf;
/*
 * Keys of every method for the packet target and its seeds: index 1 crc,
 * 2 md5, 3 sha1, 4 sha256 (auth_use), 5 sha512, 6 twice (sha256 and md5,
 * a rotation), 15 sha512 with a 255-byte secret.
 */
void	fuzz_keys(struct conf *);

/* Fixed, valid companions for the file being fuzzed. */
extern const char fuzz_good_hacf[];
extern const char fuzz_good_haresources[];
extern const char fuzz_good_authkeys[];

/*
 * conf_load() the private directory (heartbeat's three files) or, when
 * hbdconf is set, the hbd.conf in it; check the result against the
 * model's invariants, exercise the helpers other modules call on it, and
 * free everything.
 */
void	fuzz_conf_load(int hbdconf);

#endif
