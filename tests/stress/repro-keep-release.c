/* SPDX-License-Identifier: MIT */
/*
 * repro-keep-release: a pool buffer kept (uring_stream_buf_keep) and then
 * released (uring_loop_buf_release) inside the same read callback is lost
 * to the pool for good.
 *
 * The release is refused with -EINVAL because the buffer is not marked
 * KEPT until deliver() (runtime/net/stream-read.c) returns from the callback;
 * deliver() then marks it KEPT, and nothing will ever release it.  A server
 * that keeps a buffer to echo it and releases it when the write is refused
 * (the peer reset: uring_stream_write returns -ECONNRESET) loses one buffer
 * per reset; with a small pool every reader then starves forever.
 *
 * Here: a pool of one buffer, one read that keeps and releases, then more
 * bytes that never arrive.  Exit 0: fixed; 1: the bug; 2: setup failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uring/stream.h>

static int release_ret = 1, reads;

static void on_read(struct uring_stream *s, ssize_t nread,
		    const struct iovec *buf)
{
	int id;

	(void)buf;
	if (nread <= 0)
		return;
	reads++;
	if (reads == 1) {
		id = uring_stream_buf_keep(s);
		/* e.g. the echo write was refused: give the buffer back */
		release_ret = uring_loop_buf_release(s->handle.loop, id);
	}
}

static void on_timeout(struct uring_timer *t)
{
	uring_loop_stop(t->handle.loop);
}

int main(void)
{
	struct uring_loop_options o;
	struct uring_loop loop;
	struct uring_stream s;
	struct uring_timer t;
	int sv[2], i;

	memset(&o, 0, sizeof(o));
	o.read_buf_count = 1;
	o.read_buf_size = 64;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    uring_loop_init(&loop, &o) || uring_unix_init(&loop, &s) ||
	    uring_stream_open(&s, sv[0]) ||
	    uring_stream_read_start(&s, on_read) ||
	    uring_timer_init(&loop, &t))
		return 2;
	for (i = 0; i < 3; i++) {
		if (write(sv[1], "x", 1) != 1)
			return 2;
		uring_timer_start(&t, on_timeout, 100, 0);
		uring_loop_run(&loop, URING_RUN_DEFAULT);
	}
	printf("release inside the read callback: %d (%s); reads delivered: "
	       "%d of 3\n",
	       release_ret, uring_strerror(release_ret), reads);
	uring_close(&s.handle, NULL);
	uring_close(&t.handle, NULL);
	uring_loop_run(&loop, URING_RUN_DEFAULT);
	uring_loop_close(&loop);
	close(sv[1]);
	return release_ret == 0 && reads == 3 ? 0 : 1;
}
