## examples: programs a user would copy from.  Built by `make`, not installed.
noinst_PROGRAMS += examples/ring-cp
examples_ring_cp_SOURCES = examples/ring-cp.c
examples_ring_cp_LDADD = liburingloop.la

noinst_PROGRAMS += examples/embed-poll
examples_embed_poll_SOURCES = examples/embed-poll.c
examples_embed_poll_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
examples_embed_poll_LDADD = liburingloop.la $(PTHREAD_LIBS)

include examples/net.mk
include examples/fs.mk
