/* SPDX-License-Identifier: MIT */
/*
 * net_uringloop: the server side of the networking benchmarks on
 * uringloop's stream API (multishot accept, multishot recv from the loop's
 * buffer pool, queued vectored writes).  netbench.c runs it in a child
 * process and drives it; netclient.c is the load.
 *
 * net_libuv.c is the same program, line for line, against libuv; keep the
 * two in step (diff them) so the comparison stays fair.  net_epoll.c is the
 * hand-written epoll twin.
 *
 * Per connection: one malloc'ed struct conn holding the stream, read
 * started at accept.  Echo and HTTP answers are one malloc'ed write
 * request per read (echo copies the bytes, the HTTP answer is static).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <uring/loop.h>
#include <uring/stream.h>

#include "bench.h"
#include "netbench.h"

const char net_impl[] = "uringloop";

#define MAX_ANSWERS 64 /* HTTP answers per write */

struct conn {
	struct uring_stream s;
	unsigned http_state;
	struct conn *prev, *next; /* open connections */
};

struct wreq {
	struct uring_write w;
	char data[];
};

#define CONN_OF(stream) ((struct conn *)((char *)(stream) - offsetof(struct conn, s)))
#define WREQ_OF(req) ((struct wreq *)((char *)(req) - offsetof(struct wreq, w)))

static struct {
	const struct net_config *cfg;
	struct uring_loop loop;
	struct uring_stream listener;
	struct uring_poll ctl;
	struct conn conns;             /* list head */
	struct uring_write *wb_reqs;   /* NET_WBATCH */
	struct uring_shutdown wb_shut;
	double wb_t0;
} srv;

static const char http_answer[] = NET_HTTP_RESPONSE;

static void conn_closed(struct uring_handle *h)
{
	struct conn *c = CONN_OF(h);

	c->prev->next = c->next;
	c->next->prev = c->prev;
	net_stats.conns--;
	free(c);
}

static void conn_close(struct conn *c)
{
	if (!uring_is_closing(&c->s.handle))
		uring_close(&c->s.handle, conn_closed);
}

static void write_done(struct uring_write *req, int status)
{
	if (status)
		net_stats.errors++;
	free(WREQ_OF(req));
}

static void write_or_count(struct wreq *w, struct uring_stream *stream,
			   const struct iovec *bufs, unsigned nbufs)
{
	if (uring_stream_write(&w->w, stream, bufs, nbufs, write_done)) {
		net_stats.errors++;
		free(w);
	}
}

static void echo(struct conn *c, const char *p, size_t n)
{
	struct wreq *w = malloc(sizeof(*w) + n);
	struct iovec buf;

	if (!w)
		bench_die("server: out of memory");
	memcpy(w->data, p, n);
	buf.iov_base = w->data;
	buf.iov_len = n;
	write_or_count(w, &c->s, &buf, 1);
}

static void http(struct conn *c, const char *p, size_t n)
{
	unsigned reqs = net_http_requests(&c->http_state, p, n);
	struct iovec bufs[MAX_ANSWERS];

	net_stats.requests += reqs;
	while (reqs) {
		unsigned k = reqs < MAX_ANSWERS ? reqs : MAX_ANSWERS;
		struct wreq *w = malloc(sizeof(*w));

		if (!w)
			bench_die("server: out of memory");
		for (unsigned i = 0; i < k; i++) {
			bufs[i].iov_base = (void *)http_answer;
			bufs[i].iov_len = sizeof(http_answer) - 1;
		}
		write_or_count(w, &c->s, bufs, k);
		reqs -= k;
	}
}

static void read_cb(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf)
{
	struct conn *c = CONN_OF(stream);

	if (nread < 0) {
		if (nread != URING_EOF)
			net_stats.errors++;
		conn_close(c);
		return;
	}
	if (nread == 0)
		return;
	net_stats.bytes_in += (uint64_t)nread;
	switch (srv.cfg->mode) {
	case NET_ECHO:
		echo(c, buf->iov_base, (size_t)nread);
		break;
	case NET_HTTP:
		http(c, buf->iov_base, (size_t)nread);
		break;
	case NET_POUND:
		conn_close(c);
		break;
	default:
		break;
	}
}

static void wb_write_done(struct uring_write *req, int status)
{
	(void)req;
	if (status)
		net_stats.errors++;
	else
		net_stats.writes_done++;
}

static void wb_shutdown_done(struct uring_shutdown *req, int status)
{
	(void)req;
	if (status)
		bench_die("server: write_batch: shutdown: %s",
			  uring_strerror(status));
	net_stats.wb_seconds = bench_now() - srv.wb_t0;
}

/* write_batch: every write queued back to back, then the shutdown. */
static void wb_start(struct conn *c)
{
	struct iovec buf = { (void *)NET_WB_PAYLOAD, NET_WB_LEN };
	int ret;

	srv.wb_t0 = bench_now();
	for (unsigned long i = 0; i < srv.cfg->wb_count; i++) {
		ret = uring_stream_write(&srv.wb_reqs[i], &c->s, &buf, 1,
					 wb_write_done);
		if (ret)
			bench_die("server: write #%lu: %s", i,
				  uring_strerror(ret));
	}
	ret = uring_stream_shutdown(&srv.wb_shut, &c->s, wb_shutdown_done);
	if (ret)
		bench_die("server: shutdown: %s", uring_strerror(ret));
}

static void free_conn(struct uring_handle *h)
{
	free(h); /* the stream is the first member */
}

static void connection_cb(struct uring_stream *server, int status)
{
	struct conn *c;
	int ret;

	if (status) {
		net_stats.errors++;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || uring_tcp_init(server->handle.loop, &c->s))
		bench_die("server: out of memory");
	ret = uring_stream_accept(server, &c->s);
	if (ret) {
		net_stats.errors++;
		uring_close(&c->s.handle, free_conn);
		return;
	}
	c->next = srv.conns.next;
	c->prev = &srv.conns;
	c->next->prev = c;
	srv.conns.next = c;
	net_stats.accepts++;
	net_stats.conns++;
	if (srv.cfg->nodelay && uring_tcp_nodelay(&c->s, true))
		net_stats.errors++;
	ret = uring_stream_read_start(&c->s, read_cb);
	if (ret)
		bench_die("server: read_start: %s", uring_strerror(ret));
	if (srv.cfg->mode == NET_WBATCH && net_stats.accepts == 1)
		wb_start(c);
}

static void quit(void)
{
	for (struct conn *c = srv.conns.next; c != &srv.conns; c = c->next)
		conn_close(c);
	uring_close(&srv.listener.handle, NULL);
	uring_close(&srv.ctl.handle, NULL);
}

static void ctl_cb(struct uring_poll *poll, int status, unsigned events)
{
	struct uring_loop_stats st;

	(void)poll;
	(void)events;
	if (status)
		bench_die("server: control pipe: %s", uring_strerror(status));
	if (!uring_loop_stats(&srv.loop, &st)) {
		net_stats.loop_enters = st.enter_calls;
		net_stats.loop_iterations = st.iterations;
		net_stats.loop_sqes = st.sqes_submitted;
		net_stats.loop_cqes = st.cqes_reaped;
	}
	if (net_control())
		quit();
}

int net_serve(const struct net_config *cfg)
{
	struct uring_loop_options lo = {
		.read_buf_size = cfg->read_buf_size,
		.read_buf_count = cfg->read_buf_count,
		.wait_batch = cfg->wait_batch,
		.wait_batch_usec = cfg->wait_batch_usec,
		.spin_usec = cfg->spin_usec,
	};
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	int ret;

	srv.cfg = cfg;
	srv.conns.next = srv.conns.prev = &srv.conns;
	if (cfg->mode == NET_WBATCH) {
		/* touched now so page faults stay out of the timing.  Not
		 * with 0: gcc turns malloc + memset 0 into calloc, which
		 * touches nothing on fresh memory; the requests need no
		 * zeroing, their write call sets them up. */
		srv.wb_reqs = malloc(cfg->wb_count * sizeof(*srv.wb_reqs));
		if (!srv.wb_reqs)
			bench_die("server: out of memory");
		memset(srv.wb_reqs, 0xa5, cfg->wb_count * sizeof(*srv.wb_reqs));
	}
	ret = uring_loop_init(&srv.loop, &lo);
	if (ret)
		bench_die("server: loop init: %s", uring_strerror(ret));
	ret = uring_tcp_init(&srv.loop, &srv.listener);
	if (!ret)
		ret = uring_tcp_bind(&srv.listener, (struct sockaddr *)&addr, 0);
	if (!ret)
		ret = uring_stream_listen(&srv.listener, cfg->backlog,
					  connection_cb);
	if (!ret)
		ret = uring_tcp_getsockname(&srv.listener,
					    (struct sockaddr *)&addr, &len);
	if (ret)
		bench_die("server: listen on 127.0.0.1: %s", uring_strerror(ret));
	ret = uring_poll_init(&srv.loop, &srv.ctl, cfg->ctl_fd);
	if (!ret)
		ret = uring_poll_start(&srv.ctl, POLLIN, ctl_cb);
	if (ret)
		bench_die("server: control pipe: %s", uring_strerror(ret));
	net_ready(ntohs(addr.sin_port));
	ret = uring_loop_run(&srv.loop, URING_RUN_DEFAULT);
	if (ret < 0)
		bench_die("server: run: %s", uring_strerror(ret));
	ret = uring_loop_close(&srv.loop);
	if (ret)
		bench_die("server: loop close: %s", uring_strerror(ret));
	free(srv.wb_reqs);
	return 0;
}
