## examples/fs.mk: file-system examples (uring/fs.h).
noinst_PROGRAMS += examples/cp
examples_cp_SOURCES = examples/cp.c
examples_cp_LDADD = liburingloop.la

noinst_PROGRAMS += examples/cat
examples_cat_SOURCES = examples/cat.c
examples_cat_LDADD = liburingloop.la
