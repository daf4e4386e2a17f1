## tests/sanitize/local.mk — sanitizers and valgrind (issue 10), for the
## top Makefile.am to include (after tests/local.mk). Both need root and
## the lab; asan.test also needs clang with its runtime (libclang-rt-14-dev)
## and skips without it.
##   asan.test      ASan+UBSan build (scripts/sanitize.sh, in /tmp/hbd-asan)
##                  then unit, config and every system test with it, ~3 min
##   valgrind.test  hbd under valgrind through a failover run, ~1 min
SANITIZE_TESTS = tests/sanitize/asan.test tests/sanitize/valgrind.test
TESTS += $(SANITIZE_TESTS)
EXTRA_DIST += $(SANITIZE_TESTS) tests/sanitize/exit-run.sh \
	tests/sanitize/lsan.supp scripts/sanitize.sh
