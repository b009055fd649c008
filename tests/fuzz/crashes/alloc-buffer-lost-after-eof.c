/* SPDX-License-Identifier: MIT */
/*
 * alloc-buffer-lost-after-eof: a standalone reproduction of what fuzz-api
 * finds with FUZZ_API_STRICT=1 (its check "every alloc_cb buffer came
 * back"; fuzz input: crashes/api-alloc-buffer-lost-after-eof): a buffer
 * alloc_cb gave is never handed back to read_cb, not even when the stream
 * closes, so its owner can never free it.
 *
 * runtime/net/stream-read.c: a recv into an alloc_cb buffer that ends with EOF
 * after uring_stream_read_stop() goes to alloc_recv_done() -> end(), which
 * only records read_end and leaves the buffer in the stream.  read_start()
 * then let the stream switch to pool mode (it refused a switch only for
 * rd.inflight or stash_count, not for a held buffer), and from then on
 * nothing gave the buffer back: read_resume() ended with URING_EOF and no
 * buffer (pool mode), and read_settle() gave back only in alloc mode.
 * The fix: that switch is refused with -EBUSY while the buffer is held;
 * the program then restarts in alloc mode, which hands the buffer back.
 *
 * The EOF must be in the CQ before read_stop's cancel reaches the kernel:
 * here a uring_ring_get_events() on the loop's ring lets the kernel post it
 * without the loop reaping it (the fuzz input gets there with
 * URING_TASKRUN_NONE and a read_stop from a timer callback).
 *
 *   cc -I include tests/fuzz/crashes/alloc-buffer-lost-after-eof.c \
 *      lib/[a-z]*.c runtime/[a-z]*.c -lpthread -o /tmp/ab && /tmp/ab
 *
 * Prints "BUG" and exits 1 while the bug is there, "ok" and 0 after
 * (exit 2: the pool-mode start failed with anything but -EBUSY).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <uring/stream.h>

static void *given; /* the buffer alloc_cb gave, until it comes back */

static void on_alloc(struct uring_stream *s, size_t suggested,
		     struct iovec *buf)
{
	buf->iov_base = given = malloc(4096);
	buf->iov_len = 4096;
	(void)s;
	(void)suggested;
}

static void never(struct uring_timer *t)
{
	(void)t;
	abort();
}

static void on_read(struct uring_stream *s, ssize_t nread,
		    const struct iovec *buf)
{
	if (buf->iov_base && buf->iov_base == given) {
		free(given);
		given = NULL;
	}
	(void)s;
	(void)nread;
}

int main(void)
{
	struct uring_loop loop = {0};
	struct uring_stream s;
	struct uring_timer alive; /* a stopped stream keeps no loop running */
	int sv[2], i;

	if (uring_loop_init(&loop, NULL))
		return 77;
	uring_timer_init(&loop, &alive);
	uring_timer_start(&alive, never, 60000, 0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	uring_unix_init(&loop, &s);
	uring_stream_open(&s, sv[0]);
	uring_stream_read_start_alloc(&s, on_alloc, on_read);
	uring_loop_run(&loop, URING_RUN_NOWAIT); /* alloc_cb; the recv waits */
	shutdown(sv[1], SHUT_WR);		 /* EOF: the recv completes, */
	uring_ring_get_events(uring_loop_ring(&loop)); /* its CQE is posted */
	uring_stream_read_stop(&s); /* before this cancel is seen */
	uring_loop_run(&loop, URING_RUN_NOWAIT);  /* EOF while stopped */
	i = uring_stream_read_start(&s, on_read); /* pool mode */
	if (i == -EBUSY) /* refused while the buffer is held: go on in its */
		i = uring_stream_read_start_alloc(&s, on_alloc, on_read);
	if (i)
		return 2;
	for (i = 0; i < 10; i++)
		uring_loop_run(&loop, URING_RUN_NOWAIT);
	uring_close(&s.handle, NULL);
	uring_close(&alive.handle, NULL);
	while (uring_loop_run(&loop, URING_RUN_NOWAIT) > 0)
		;
	uring_loop_close(&loop);
	printf("%s: the alloc_cb buffer %s\n", given ? "BUG" : "ok",
	       given ? "never came back to read_cb" : "came back");
	free(given);
	return given != NULL;
}
