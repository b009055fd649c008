## check-valgrind: every Check test program under valgrind memcheck.
## Zero reports expected; see tests/valgrind-run.sh for how it runs them.
EXTRA_DIST += tests/valgrind-run.sh

check-valgrind: $(check_PROGRAMS)
	@LIBTOOL="$(LIBTOOL)" $(SHELL) $(srcdir)/tests/valgrind-run.sh \
		$(check_PROGRAMS)

CLEANFILES += $(check_PROGRAMS:=.vg.log)
.PHONY: check-valgrind
