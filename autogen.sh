#!/bin/sh
# Regenerate the build system: ./autogen.sh && ./configure && make
set -e
cd "$(dirname "$0")"
for t in autoreconf aclocal automake autoconf pkg-config; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "autogen.sh: $t is missing." >&2
		echo "  Debian: apt-get install autoconf automake libtool pkg-config" >&2
		echo "  (or run ./scripts/install-deps.sh, which installs everything)" >&2
		exit 1
	fi
done
autoreconf -fi
echo "Now run ./configure && make"
