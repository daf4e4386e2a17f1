## tests/sim/local.mk — the deterministic simulator (issue 15), included by
## tests/local.mk.
##   sim.test       fixed regression seeds, then >= 100,000 random scenarios
##                  in two processes (under 3 minutes on 2 cores)
##   mutants.test   each deliberate protocol bug (sim-m1..m6) must be caught
## `make sim-mutants` prints the mutant table by hand.
SIM_SOURCES = tests/sim/sim.h tests/sim/sim.c tests/sim/sim_conf.c \
	tests/sim/sim_scen.c tests/sim/sim_main.c
# the core built again with one bug each (hbd/core_int.h: HBD_MUTANT)
SIM_MUTANT_SOURCES = $(SIM_SOURCES) hbd/core.c hbd/core_place.c \
	hbd/core_plan.c hbd/core_fence.c hbd/core_hbv1.c hbd/member.c
SIM_MUTANTS = tests/sim/sim-m1 tests/sim/sim-m2 tests/sim/sim-m3 \
	tests/sim/sim-m4 tests/sim/sim-m5 tests/sim/sim-m6

check_PROGRAMS += tests/sim/sim $(SIM_MUTANTS)
tests_sim_sim_SOURCES = $(SIM_SOURCES)
tests_sim_sim_LDADD = $(HBD_LIBS)
tests_sim_sim_m1_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m1_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=1
tests_sim_sim_m1_LDADD = $(HBD_LIBS)
tests_sim_sim_m2_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m2_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=2
tests_sim_sim_m2_LDADD = $(HBD_LIBS)
tests_sim_sim_m3_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m3_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=3
tests_sim_sim_m3_LDADD = $(HBD_LIBS)
tests_sim_sim_m4_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m4_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=4
tests_sim_sim_m4_LDADD = $(HBD_LIBS)
tests_sim_sim_m5_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m5_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=5
tests_sim_sim_m5_LDADD = $(HBD_LIBS)
tests_sim_sim_m6_SOURCES = $(SIM_MUTANT_SOURCES)
tests_sim_sim_m6_CPPFLAGS = $(AM_CPPFLAGS) -DHBD_MUTANT=6
tests_sim_sim_m6_LDADD = $(HBD_LIBS)

TESTS += tests/sim/sim.test tests/sim/mutants.test
EXTRA_DIST += tests/sim/sim.test tests/sim/mutants.test \
	tests/sim/regressions tests/sim/README.md

sim-mutants: tests/sim/sim $(SIM_MUTANTS)
	srcdir='$(abs_top_srcdir)' builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/tests/sim/mutants.test
.PHONY: sim-mutants
