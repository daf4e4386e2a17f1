#!/bin/sh
# Install every Debian 12 package that building and testing hbd needs.
# Non-interactive, idempotent; run as root. Used by the README's commands,
# by scripts/test.sh and scripts/demo.sh, and by CI (.ci/run).
# HBD_POLICY_RC_D names the policy-rc.d file (tests point it elsewhere).
set -eu
policy=${HBD_POLICY_RC_D:-/usr/sbin/policy-rc.d}

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi

BUILD="autoconf automake libtool pkg-config make gcc
	libconfig-dev libssl-dev libcmocka-dev libsnmp-dev"
LAB="iproute2 iputils-ping iputils-arping socat util-linux procps psmisc
	e2fsprogs xfsprogs nftables iptables curl ca-certificates openssl jq
	libnetfilter-queue-dev libnfnetlink-dev"
SERVICES="apache2 nfs-ganesha nfs-ganesha-vfs rpcbind nfs-common
	libnfs-utils snmpd snmptrapd snmp libsnmp-base"
CHECKS="smitools resource-agents cluster-glue libxml2-utils monitoring-plugins-standard
	valgrind clang libclang-rt-14-dev heartbeat tshark
	nagios4-core snmptt python3-yaml systemd logrotate
	dpkg-dev debhelper lintian heartbeat
	pacemaker-cli-utils corosync pacemaker pacemaker-resource-agents crmsh pcs"

missing=""
for p in $BUILD $LAB $SERVICES $CHECKS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
# the IETF base MIBs for smilint come from the npm registry (LAB.md §13)
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -z "$missing" ]; then
	echo "install-deps.sh: everything is installed"
	exit 0
fi
echo "install-deps.sh: installing:$missing"

# Installing apache2, snmpd or rpcbind must not start them on the host:
# the tests run private instances inside network namespaces.
# An image that ships its own policy-rc.d (containers do) keeps it as is.
# The EXIT trap must not change the script's status: `[ ] && rm` would
# make it 1 whenever the file was already there.
added_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	added_policy=1
fi
cleanup() {
	if [ "$added_policy" = 1 ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "install-deps.sh: done"
