/* SPDX-License-Identifier: MIT */
/*
 * net_libuv: net_uringloop.c, line for line, against libuv (Debian's libuv
 * 1.44; a benchmark-only dependency).  Reads go into one static 64 KiB
 * buffer (alloc_cb; the bytes are used inside read_cb), which is what a
 * careful libuv server does.
 *
 * Keep it in step with net_uringloop.c (diff them) so the comparison stays
 * fair.
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
#include <uv.h>

#include "bench.h"
#include "netbench.h"

const char net_impl[] = "libuv";

#define MAX_ANSWERS 64 /* HTTP answers per write */

struct conn {
	uv_tcp_t s;
	unsigned http_state;
	struct conn *prev, *next; /* open connections */
};

struct wreq {
	uv_write_t w;
	char data[];
};

#define CONN_OF(stream) ((struct conn *)((char *)(stream) - offsetof(struct conn, s)))
#define WREQ_OF(req) ((struct wreq *)((char *)(req) - offsetof(struct wreq, w)))

static struct {
	const struct net_config *cfg;
	uv_loop_t loop;
	uv_tcp_t listener;
	uv_poll_t ctl;
	struct conn conns;             /* list head */
	uv_write_t *wb_reqs;           /* NET_WBATCH */
	uv_shutdown_t wb_shut;
	double wb_t0;
	char rbuf[65536];
} srv;

static const char http_answer[] = NET_HTTP_RESPONSE;

static void conn_closed(uv_handle_t *h)
{
	struct conn *c = CONN_OF(h);

	c->prev->next = c->next;
	c->next->prev = c->prev;
	net_stats.conns--;
	free(c);
}

static void conn_free(uv_handle_t *h)
{
	free(CONN_OF(h));
}

static void conn_close(struct conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->s))
		uv_close((uv_handle_t *)&c->s, conn_closed);
}

static void write_done(uv_write_t *req, int status)
{
	if (status)
		net_stats.errors++;
	free(WREQ_OF(req));
}

static void write_or_count(struct wreq *w, uv_stream_t *stream,
			   const uv_buf_t *bufs, unsigned nbufs)
{
	if (uv_write(&w->w, stream, bufs, nbufs, write_done)) {
		net_stats.errors++;
		free(w);
	}
}

static void echo(struct conn *c, const char *p, size_t n)
{
	struct wreq *w = malloc(sizeof(*w) + n);
	uv_buf_t buf;

	if (!w)
		bench_die("server: out of memory");
	memcpy(w->data, p, n);
	buf.base = w->data;
	buf.len = n;
	write_or_count(w, (uv_stream_t *)&c->s, &buf, 1);
}

static void http(struct conn *c, const char *p, size_t n)
{
	unsigned reqs = net_http_requests(&c->http_state, p, n);
	uv_buf_t bufs[MAX_ANSWERS];

	net_stats.requests += reqs;
	while (reqs) {
		unsigned k = reqs < MAX_ANSWERS ? reqs : MAX_ANSWERS;
		struct wreq *w = malloc(sizeof(*w));

		if (!w)
			bench_die("server: out of memory");
		for (unsigned i = 0; i < k; i++) {
			bufs[i].base = (void *)http_answer;
			bufs[i].len = sizeof(http_answer) - 1;
		}
		write_or_count(w, (uv_stream_t *)&c->s, bufs, k);
		reqs -= k;
	}
}

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	(void)handle;
	(void)suggested;
	buf->base = srv.rbuf;
	buf->len = sizeof(srv.rbuf);
}

static void read_cb(uv_stream_t *stream, ssize_t nread,
		    const uv_buf_t *buf)
{
	struct conn *c = CONN_OF(stream);

	if (nread < 0) {
		if (nread != UV_EOF)
			net_stats.errors++;
		conn_close(c);
		return;
	}
	if (nread == 0)
		return;
	net_stats.bytes_in += (uint64_t)nread;
	switch (srv.cfg->mode) {
	case NET_ECHO:
		echo(c, buf->base, (size_t)nread);
		break;
	case NET_HTTP:
		http(c, buf->base, (size_t)nread);
		break;
	case NET_POUND:
		conn_close(c);
		break;
	default:
		break;
	}
}

static void wb_write_done(uv_write_t *req, int status)
{
	(void)req;
	if (status)
		net_stats.errors++;
	else
		net_stats.writes_done++;
}

static void wb_shutdown_done(uv_shutdown_t *req, int status)
{
	(void)req;
	if (status)
		bench_die("server: write_batch: shutdown: %s",
			  uv_strerror(status));
	net_stats.wb_seconds = bench_now() - srv.wb_t0;
}

/* write_batch: every write queued back to back, then the shutdown. */
static void wb_start(struct conn *c)
{
	uv_buf_t buf = uv_buf_init((char *)NET_WB_PAYLOAD, NET_WB_LEN);
	int ret;

	srv.wb_t0 = bench_now();
	for (unsigned long i = 0; i < srv.cfg->wb_count; i++) {
		ret = uv_write(&srv.wb_reqs[i], (uv_stream_t *)&c->s, &buf, 1,
			       wb_write_done);
		if (ret)
			bench_die("server: write #%lu: %s", i,
				  uv_strerror(ret));
	}
	ret = uv_shutdown(&srv.wb_shut, (uv_stream_t *)&c->s, wb_shutdown_done);
	if (ret)
		bench_die("server: shutdown: %s", uv_strerror(ret));
}

static void connection_cb(uv_stream_t *server, int status)
{
	struct conn *c;
	int ret;

	if (status) {
		net_stats.errors++;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		bench_die("server: out of memory");
	uv_tcp_init(&srv.loop, &c->s); /* libuv: init before accept */
	ret = uv_accept(server, (uv_stream_t *)&c->s);
	if (ret) {
		net_stats.errors++;
		uv_close((uv_handle_t *)&c->s, conn_free);
		return;
	}
	c->next = srv.conns.next;
	c->prev = &srv.conns;
	c->next->prev = c;
	srv.conns.next = c;
	net_stats.accepts++;
	net_stats.conns++;
	if (srv.cfg->nodelay && uv_tcp_nodelay(&c->s, 1))
		net_stats.errors++;
	ret = uv_read_start((uv_stream_t *)&c->s, alloc_cb, read_cb);
	if (ret)
		bench_die("server: read_start: %s", uv_strerror(ret));
	if (srv.cfg->mode == NET_WBATCH && net_stats.accepts == 1)
		wb_start(c);
}

static void quit(void)
{
	for (struct conn *c = srv.conns.next; c != &srv.conns; c = c->next)
		conn_close(c);
	uv_close((uv_handle_t *)&srv.listener, NULL);
	uv_close((uv_handle_t *)&srv.ctl, NULL);
}

static void ctl_cb(uv_poll_t *poll, int status, int events)
{
	(void)poll;
	(void)events;
	if (status)
		bench_die("server: control pipe: %s", uv_strerror(status));
	if (net_control())
		quit();
}

int net_serve(const struct net_config *cfg)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int len = sizeof(addr);
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
	ret = uv_loop_init(&srv.loop);
	if (ret)
		bench_die("server: loop init: %s", uv_strerror(ret));
	ret = uv_tcp_init(&srv.loop, &srv.listener);
	if (!ret)
		ret = uv_tcp_bind(&srv.listener, (struct sockaddr *)&addr, 0);
	if (!ret)
		ret = uv_listen((uv_stream_t *)&srv.listener, cfg->backlog,
				connection_cb);
	if (!ret)
		ret = uv_tcp_getsockname(&srv.listener,
					 (struct sockaddr *)&addr, &len);
	if (ret)
		bench_die("server: listen on 127.0.0.1: %s", uv_strerror(ret));
	ret = uv_poll_init(&srv.loop, &srv.ctl, cfg->ctl_fd);
	if (!ret)
		ret = uv_poll_start(&srv.ctl, UV_READABLE, ctl_cb);
	if (ret)
		bench_die("server: control pipe: %s", uv_strerror(ret));
	net_ready(ntohs(addr.sin_port));
	ret = uv_run(&srv.loop, UV_RUN_DEFAULT);
	if (ret < 0)
		bench_die("server: run: %s", uv_strerror(ret));
	ret = uv_loop_close(&srv.loop);
	if (ret)
		bench_die("server: loop close: %s", uv_strerror(ret));
	free(srv.wb_reqs);
	return 0;
}
