/*
 * conf_authkeys: heartbeat's authkeys file. "auth N" names the key that
 * signs outgoing heartbeats; "N method [secret]" lines define keys 0-15,
 * and every defined key is accepted on receipt, which is how keys are
 * rotated. The file must be private to root, as heartbeat required.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "util.h"

#define LINE	(cp->line)

static int
parse_index(struct cparse *cp, const char *s, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > HBD_MAX_KEY_INDEX) {
		cp_err(cp, LINE, "invalid key index \"%s\": must be 0-%d", s,
		    HBD_MAX_KEY_INDEX);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int
authkeys_use(struct cparse *cp, const char *index)
{
	int	 n;

	if (cp->auth_line) {
		cp_err(cp, LINE, "auth is already given on line %d",
		    cp->auth_line);
		return -1;
	}
	if (parse_index(cp, index, &n) == -1) {
		cp->auth_errors++;
		return -1;
	}
	cp->c->auth_use = n;
	cp->auth_line = LINE;
	return 0;
}

static int
parse_method(struct cparse *cp, const char *s, enum auth_method *m)
{
	static const struct {
		const char		*name;
		enum auth_method	 m;
	} methods[] = {
		{ "crc", AUTH_CRC }, { "md5", AUTH_MD5 }, { "sha1", AUTH_SHA1 },
		{ "sha256", AUTH_SHA256 }, { "sha512", AUTH_SHA512 },
	};
	size_t	 i;

	for (i = 0; i < nitems(methods); i++)
		if (strcasecmp(methods[i].name, s) == 0) {
			*m = methods[i].m;
			return 0;
		}
	cp_err(cp, LINE, "invalid auth method \"%s\": expected crc, md5, sha1, "
	    "sha256 or sha512", s);
	return -1;
}

/* argv: index method [secret] */
int
authkeys_line(struct cparse *cp, int argc, char **argv)
{
	struct conf	*c = cp->c;
	struct conf_key	*k;
	enum auth_method m;
	int		 idx, i;

	if (argc < 2 || argc > 3) {
		cp_err(cp, LINE, "expected \"N method [secret]\" (the secret is "
		    "one word)");
		return -1;
	}
	if (parse_index(cp, argv[0], &idx) == -1 ||
	    parse_method(cp, argv[1], &m) == -1)
		return -1;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].index == idx) {
			cp_err(cp, LINE, "key %d is already defined on line %d",
			    idx, c->keys[i].line);
			return -1;
		}
	if (m == AUTH_CRC && argc == 3) {
		cp_err(cp, LINE, "auth method crc doesn't use a key");
		return -1;
	}
	if (m != AUTH_CRC && (argc != 3 || argv[2][0] == '\0')) {
		cp_err(cp, LINE, "auth method %s requires a key",
		    auth_method_name(m));
		return -1;
	}
	if (argc == 3 && strlen(argv[2]) >= sizeof(k->secret)) {
		cp_err(cp, LINE, "key %d: secret longer than %zu bytes", idx,
		    sizeof(k->secret) - 1);
		return -1;
	}
	if (m != AUTH_CRC && strlen(argv[2]) < 8)
		cp_warn(cp, LINE, "key %d: a %zu-character secret is easy to "
		    "guess; use at least 16 random characters", idx,
		    strlen(argv[2]));
	k = &c->keys[c->nkeys++];
	memset(k, 0, sizeof(*k));
	k->index = idx;
	k->method = m;
	k->line = LINE;
	if (argc == 3) {
		k->secretlen = strlen(argv[2]);
		memcpy(k->secret, argv[2], k->secretlen);
	}
	return 0;
}

static int
check_perm(struct cparse *cp, const char *path, int fd)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		cp_file_err(cp, path, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		cp_file_err(cp, path, "bad permissions on keyfile (mode %04o): "
		    "it must not be accessible by group or others; 600 "
		    "recommended (chmod 600 %s)", (unsigned)st.st_mode & 07777,
		    path);
		return -1;
	}
	if (st.st_uid != 0) {
		cp_file_err(cp, path, "keyfile is owned by uid %u, not root "
		    "(chown root %s)", (unsigned)st.st_uid, path);
		return -1;
	}
	return 0;
}

/* blank-separated words; unlike conf_tokenize, '#' is not special */
static int
words(char *p, char **tok, int max)
{
	int	 n = 0;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			return n;
		if (n == max)
			return -1;
		tok[n++] = p;
		p += strcspn(p, " \t\r\n");
		if (*p == '\0')
			return n;
		*p++ = '\0';
	}
}

int
authkeys_read(struct cparse *cp, const char *path, int check)
{
	static char	 auth_word[] = "auth";
	FILE	*fp;
	char	*line = NULL, *tok[64], iobuf[4096];
	size_t	 cap = 0;
	int	 fd, n, i;

	cp->file = path;
	cp->line = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cp_file_err(cp, path, "cannot open keyfile: %s",
		    strerror(errno));
		cp->authkeys_unreadable = 1;
		return -1;
	}
	if (check && check_perm(cp, path, fd) == -1) {
		close(fd);
		cp->authkeys_unreadable = 1;
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	/* stdio's own buffer holds the secrets too: ours, wiped below */
	setvbuf(fp, iobuf, _IOFBF, sizeof(iobuf));
	while (conf_getline(cp, fp, &line, &cap, &cp->line) != NULL) {
		char	*p = line + strspn(line, " \t\r\n");

		/*
		 * As heartbeat: '#' starts a comment only at the start of a
		 * line, so a secret may contain it ("1 sha1 abc#def"); after
		 * the secret, a word starting with '#' begins a comment.
		 */
		if (*p == '#')
			continue;
		n = words(p, tok, (int)nitems(tok));
		if (n == 0)
			continue;
		if (n < 0) {
			cp_err(cp, LINE, "too many words");
			continue;
		}
		/* heartbeat's sscanf("auth %d") also took "auth1" */
		if (strncmp(tok[0], "auth", 4) == 0 &&
		    isdigit((unsigned char)tok[0][4]) &&
		    n < (int)nitems(tok) - 1) {
			memmove(&tok[2], &tok[1], (size_t)(n - 1) *
			    sizeof(tok[0]));
			tok[1] = tok[0] + 4;
			tok[0] = auth_word;
			n++;
		}
		for (i = strcmp(tok[0], "auth") == 0 ? 2 : 3; i < n; i++)
			if (tok[i][0] == '#') {
				n = i;
				break;
			}
		if (strcmp(tok[0], "auth") == 0) {
			if (n != 2) {
				cp_err(cp, LINE, "expected \"auth N\"");
				cp->auth_errors++;
			} else
				authkeys_use(cp, tok[1]);
			continue;
		}
		if (authkeys_line(cp, n, tok) == -1)
			cp->key_errors++;
	}
	if (line) {
		explicit_bzero(line, cap);
		free(line);
	}
	fclose(fp);
	explicit_bzero(iobuf, sizeof(iobuf));
	return 0;
}
