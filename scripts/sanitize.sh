#!/bin/sh
# Build hbd, hbctl, hbd-snmp, the unit tests and the lab tools under
# AddressSanitizer + UndefinedBehaviorSanitizer (clang) in a build
# directory of its own, leaving the source tree and its build alone.
#
#   scripts/sanitize.sh [BUILD_DIR]        (default /tmp/hbd-asan)
#
# A source tree that is configured in place cannot also serve a VPATH
# build (configure refuses: "source directory already configured"), so the
# sources (tracked and untracked files git does not ignore, plus the
# generated autotools files when present) are copied to BUILD_DIR-src
# first; the build goes to BUILD_DIR. Run again, it rebuilds only what
# changed. Prints the build directory on its last line. Then, e.g.:
#
#   builddir=/tmp/hbd-asan srcdir=/work/main sh tests/system/20-classic-failover.test
#
# Environment: CC (clang), SAN_CFLAGS, SAN_LDFLAGS to change the flags.
set -eu
# a make of our own: nothing of a calling make's command line (such as
# TESTS=...) may leak into it through the environment
unset MAKEFLAGS MFLAGS MAKELEVEL
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-/tmp/hbd-asan}
src=$build-src
: "${CC:=clang}"
: "${SAN_CFLAGS:=-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined}"
: "${SAN_LDFLAGS:=-fsanitize=address,undefined}"

command -v "$CC" > /dev/null || { echo "sanitize.sh: $CC not found" >&2; exit 77; }
probe=$(mktemp -d)
echo 'int main(void){return 0;}' > "$probe/t.c"
if ! "$CC" $SAN_CFLAGS $SAN_LDFLAGS -o "$probe/t" "$probe/t.c" 2> "$probe/err"; then
	echo "sanitize.sh: $CC cannot link with $SAN_LDFLAGS (libclang-rt-dev missing?):" >&2
	cat "$probe/err" >&2
	rm -rf "$probe"
	exit 77
fi
rm -rf "$probe"

# 1. the source copy (mtimes kept, so make rebuilds only what changed)
mkdir -p "$src"
(
	cd "$top"
	if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
		git ls-files -co --exclude-standard
	else
		find . -type f ! -name '*.o' ! -name '*.a' ! -path './.git/*'
	fi
	for f in configure Makefile.in aclocal.m4 config.h.in; do
		[ -f "$f" ] && echo "$f"
	done
	find build-aux m4 -type f 2>/dev/null
	find . -name Makefile.in -not -path './.git/*' 2>/dev/null
) | sort -u | while read -r f; do
	[ -f "$top/$f" ] && printf '%s\n' "$f"
done > "$src.files"
tar -C "$top" -cf - -T "$src.files" | tar -C "$src" -xpf -
rm -f "$src.files"
# never let the copy look configured in place
rm -f "$src/config.status" "$src/config.h" "$src/Makefile" "$src/stamp-h1"
if [ ! -x "$src/configure" ]; then
	(cd "$src" && ./autogen.sh) > "$build.autogen.log" 2>&1 ||
	    { echo "sanitize.sh: autogen failed, see $build.autogen.log" >&2; exit 1; }
fi

# 2. configure (once) and build, including what `make check` needs
configure_build() {
	mkdir -p "$build"
	[ -f "$build/Makefile" ] && return 0
	(cd "$build" && "$src/configure" CC="$CC" CFLAGS="$SAN_CFLAGS" \
	    LDFLAGS="$SAN_LDFLAGS") > "$build/configure.out" 2>&1 || {
		echo "sanitize.sh: configure failed, see $build/configure.out" >&2
		tail -n 20 "$build/configure.out" >&2
		exit 1
	}
}
build_all() {
	make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" > "$build/make.out" 2>&1 &&
	    make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" check TESTS= \
	    > "$build/make-check.out" 2>&1
}
configure_build
if ! build_all; then
	# an incremental build left by an older tree (a module added or
	# moved since) can fail where a fresh one does not: start afresh once
	echo "sanitize.sh: the incremental build failed; building from scratch" >&2
	rm -rf "$build"
	configure_build
	build_all || {
		echo "sanitize.sh: the build failed, see $build/make.out" >&2
		tail -n 30 "$build/make.out" "$build/make-check.out" >&2 2>/dev/null
		exit 1
	}
fi
echo "$build"
