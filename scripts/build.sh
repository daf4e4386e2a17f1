#!/bin/sh
# Configure and build hbd in the source tree (idempotent).
set -eu
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ]; then
	./autogen.sh
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
	    ${HBD_CONFIGURE_FLAGS:-}
fi
make -j"$(nproc)"
