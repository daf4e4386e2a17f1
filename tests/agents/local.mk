# tests/agents/local.mk - file lists of the resource agents and their tests,
# for the top-level Makefile.am to include.  Installing the agents and
# wiring the tests into TESTS/EXTRA_DIST is done there.

# The agents (executable POSIX sh scripts).  IPaddr2 and apache are thin
# wrappers that exec IPaddr and httpd from their own directory, so all of
# these and the library must be installed side by side.
HBD_AGENT_FILES = \
	agents/Dummy \
	agents/Filesystem \
	agents/IPaddr \
	agents/IPaddr2 \
	agents/apache \
	agents/httpd \
	agents/nfsserver

# Sourced by every agent from the agent's own directory (not executable).
AGENT_LIB = agents/hbd-agent-lib.sh

# Test scripts (exit 0 pass, 1 fail, 77 skip).
AGENT_TESTS = \
	tests/agents/Dummy.test \
	tests/agents/IPaddr.test \
	tests/agents/Filesystem.test \
	tests/agents/Filesystem-nfs.test \
	tests/agents/httpd.test \
	tests/agents/nfsserver.test

# Sourced by the tests; documentation of what they need.
HBD_AGENT_TEST_FILES = \
	tests/agents/testlib.sh \
	tests/agents/README
