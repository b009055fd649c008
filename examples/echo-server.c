/* SPDX-License-Identifier: MIT */
/*
 * echo-server: a TCP server that sends every byte it receives back.
 *
 *   echo-server [--host H] [--port P]
 *
 * The smallest complete server on uringloop streams:
 *   - one listener with multishot accept (uring_stream_listen);
 *   - reads from the loop's provided-buffer pool (uring_stream_read_start):
 *     the kernel picks a buffer per read, no buffer is set aside per
 *     connection;
 *   - each buffer read is kept (uring_stream_buf_keep) and written back as
 *     it is, then handed back to the pool when the write is done: no copy;
 *   - backpressure: a client that sends but does not read would make us
 *     hold its bytes without end, so reading stops while its writes are
 *     behind and starts again once they drain;
 *   - at the client's EOF, the queued writes go out, then a shutdown sends
 *     ours, then the connection is closed;
 *   - SIGINT/SIGTERM close every handle; the loop then runs out of work and
 *     uring_loop_close() returns 0.
 *
 * Guide: docs/guide/tcp-server.md.  Pages: uring_stream_listen(3),
 * uring_stream_read_start(3), uring_stream_write(3).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uring/loop.h>
#include <uring/stream.h>

/*
 * Backpressure limits.  A kept buffer belongs to the loop's pool, which all
 * connections share (by default 64 buffers of 64 KiB, or 256 of 16 KiB on
 * kernels before 6.12: uring_stream_read_start(3)): a client that
 * trickles bytes and never reads could otherwise take the whole pool, one
 * tiny read per buffer.  So a connection may hold at most MAX_WRITES
 * buffers, and no more than HIGH_WATER queued bytes; it resumes reading
 * once it is back under half of each.
 */
#define MAX_WRITES 8
#define HIGH_WATER (64 * 1024)
#define LOW_WATER (HIGH_WATER / 2)

struct conn;

/* One write back to the client: a kept pool buffer (or, if keeping it
 * failed, a copy) and the request that writes it. */
struct echo_write {
	struct uring_write req;
	struct conn *conn;
	int buf_id;   /* the kept pool buffer, or -1 */
	void *copy;   /* the copy, or NULL */
	bool busy;
};

struct server {
	struct uring_loop loop;
	struct uring_stream listener;
	struct uring_signal sigint, sigterm;
	struct conn *conns; /* open connections, closed at shutdown */
	unsigned long long accepted, bytes;
	bool stopping, failed;
};

struct conn {
	struct uring_stream stream; /* first: a stream is its connection */
	struct server *server;
	struct conn *prev, *next;
	struct uring_shutdown shutdown;
	struct echo_write writes[MAX_WRITES]; /* no allocation per read */
	unsigned writes_busy;
	bool paused; /* reading stopped by backpressure */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: echo-server [--host H] [--port P]\n"
		"Accepts TCP connections on H:P (default 127.0.0.1:7000; H is a\n"
		"numeric IPv4 or IPv6 address, P 0 picks a free port) and sends\n"
		"every byte back.  SIGINT or SIGTERM shut it down cleanly.\n");
}

/* Numeric addresses only: resolving a name would block the loop. */
static int parse_addr(const char *host, const char *port,
		      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (!*port || *end || p > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -1;
}

static void print_listening(struct uring_stream *listener)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (!uring_tcp_getsockname(listener, (struct sockaddr *)&ss, &len)) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
			port = ntohs(in4->sin_port);
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, host,
				  sizeof(host));
			port = ntohs(in6->sin6_port);
		}
	}
	/* Scripts wait for this line and take the port from it. */
	printf("echo-server: listening on %s%s%s:%u\n",
	       ss.ss_family == AF_INET6 ? "[" : "", host,
	       ss.ss_family == AF_INET6 ? "]" : "", port);
}

/* --------------------------------------------------------- connections */

/* memory may be freed only here: no completion can name the stream now */
static void on_conn_closed(struct uring_handle *handle)
{
	struct conn *c = (struct conn *)handle;

	if (c->prev)
		c->prev->next = c->next;
	else
		c->server->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

static void conn_close(struct conn *c)
{
	if (!uring_is_closing(&c->stream.handle))
		uring_close(&c->stream.handle, on_conn_closed);
}

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf);
static void stop_server(struct server *s);

static bool over_limit(struct conn *c)
{
	return c->writes_busy == MAX_WRITES ||
	       uring_stream_write_queue_size(&c->stream) > HIGH_WATER;
}

static bool under_resume_mark(struct conn *c)
{
	return c->writes_busy <= MAX_WRITES / 2 &&
	       uring_stream_write_queue_size(&c->stream) <= LOW_WATER;
}

static void on_write(struct uring_write *req, int status)
{
	struct echo_write *w = (struct echo_write *)req;
	struct conn *c = w->conn;

	if (w->buf_id >= 0)
		uring_loop_buf_release(&c->server->loop, w->buf_id);
	free(w->copy);
	w->busy = false;
	c->writes_busy--;
	/* -ECANCELED: we closed the stream ourselves; anything else: the
	 * client went away (-EPIPE, -ECONNRESET) and there is no one to
	 * echo to. */
	if (status < 0) {
		conn_close(c);
		return;
	}
	if (c->paused && under_resume_mark(c)) {
		c->paused = false;
		if (uring_stream_read_start(&c->stream, on_read) < 0)
			conn_close(c);
	}
}

static struct echo_write *take_slot(struct conn *c)
{
	for (unsigned i = 0; i < MAX_WRITES; i++) {
		if (!c->writes[i].busy) {
			c->writes[i].busy = true;
			c->writes_busy++;
			return &c->writes[i];
		}
	}
	return NULL; /* cannot happen: reading pauses when all are busy */
}

/* Write the nread bytes of this read back, keeping the pool buffer until
 * the write is done: no copy. */
static int echo(struct conn *c, const struct iovec *buf, size_t nread)
{
	struct echo_write *w = take_slot(c);
	struct iovec out = {.iov_base = buf->iov_base, .iov_len = nread};

	if (!w)
		return -ENOBUFS;
	w->conn = c;
	w->copy = NULL;
	w->buf_id = uring_stream_buf_keep(&c->stream);
	if (w->buf_id < 0) {
		/* Not expected in pool mode; copying keeps us correct. */
		w->copy = malloc(nread);
		if (!w->copy) {
			w->busy = false;
			c->writes_busy--;
			return -ENOMEM;
		}
		out.iov_base = memcpy(w->copy, buf->iov_base, nread);
	}
	return uring_stream_write(&w->req, &c->stream, &out, 1, on_write);
}

static void on_shutdown(struct uring_shutdown *req, int status)
{
	(void)status; /* done or failed, the connection is finished */
	conn_close(req->data);
}

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf)
{
	struct conn *c = (struct conn *)stream;
	int ret;

	if (nread == URING_EOF) {
		/* Half-close: our shutdown goes out after the queued writes. */
		c->shutdown.data = c;
		if (uring_stream_shutdown(&c->shutdown, stream, on_shutdown))
			conn_close(c);
		return;
	}
	if (nread < 0) {
		if (nread != -ECONNRESET)
			fprintf(stderr, "echo-server: read: %s\n",
				uring_strerror((int)nread));
		conn_close(c);
		return;
	}
	if (nread == 0)
		return;
	c->server->bytes += (size_t)nread;
	ret = echo(c, buf, (size_t)nread);
	if (ret < 0) {
		fprintf(stderr, "echo-server: write: %s\n",
			uring_strerror(ret));
		conn_close(c);
		return;
	}
	if (over_limit(c)) {
		/* Bytes that arrive meanwhile stay in the kernel or in the
		 * stream until the next read_start: none is lost. */
		uring_stream_read_stop(stream);
		c->paused = true;
	}
}

/* Close callback of a connection that was never accepted: its handle is
 * the start of its memory (the stream is the first member). */
static void free_handle(struct uring_handle *handle)
{
	free(handle);
}

static void on_connection(struct uring_stream *listener, int status)
{
	struct server *s = listener->handle.data;
	struct conn *c;
	int ret;

	if (status < 0) { /* the listener has stopped: give up */
		fprintf(stderr, "echo-server: accept: %s\n",
			uring_strerror(status));
		s->failed = true;
		stop_server(s);
		return;
	}
	/* libuv's order: initialise the connection's handle, then accept
	 * into it.  Without memory, give up: a connection not accepted stays
	 * with the listener, which accepts no other until it is taken. */
	c = calloc(1, sizeof(*c));
	ret = c ? uring_tcp_init(listener->handle.loop, &c->stream) : -ENOMEM;
	if (ret < 0) {
		fprintf(stderr, "echo-server: %s\n", uring_strerror(ret));
		free(c);
		s->failed = true;
		stop_server(s);
		return;
	}
	ret = uring_stream_accept(listener, &c->stream);
	if (ret < 0) {
		fprintf(stderr, "echo-server: accept: %s\n",
			uring_strerror(ret));
		uring_close(&c->stream.handle, free_handle);
		return;
	}
	c->server = s;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->accepted++;
	ret = uring_stream_read_start(&c->stream, on_read);
	if (ret < 0) {
		fprintf(stderr, "echo-server: read: %s\n", uring_strerror(ret));
		conn_close(c);
	}
}

/* ------------------------------------------------------------ shutdown */

static void close_other(struct uring_handle *h, void *arg)
{
	(void)arg;
	if (!uring_is_closing(h))
		uring_close(h, NULL); /* the listener and signal watchers */
}

/* Close every handle; uring_loop_run() returns once their close callbacks
 * have run.  Connections first, as their memory is freed on close. */
static void stop_server(struct server *s)
{
	s->stopping = true;
	for (struct conn *c = s->conns; c; c = c->next)
		conn_close(c);
	uring_walk(&s->loop, close_other, NULL);
}

static void on_signal(struct uring_signal *sig, int signum)
{
	struct server *s = sig->handle.data;

	if (s->stopping)
		return;
	fprintf(stderr, "echo-server: %s, shutting down\n", strsignal(signum));
	stop_server(s);
}

static int watch_signals(struct server *s)
{
	int ret;

	s->sigint.handle.data = s;
	s->sigterm.handle.data = s;
	ret = uring_signal_init(&s->loop, &s->sigint);
	if (!ret)
		ret = uring_signal_start(&s->sigint, on_signal, SIGINT);
	if (!ret)
		ret = uring_signal_init(&s->loop, &s->sigterm);
	if (!ret)
		ret = uring_signal_start(&s->sigterm, on_signal, SIGTERM);
	return ret;
}

/* Listen and watch signals; prints what failed. */
static int start_server(struct server *s, const char *host, const char *port)
{
	struct sockaddr_storage addr;
	int ret;

	if (parse_addr(host, port, &addr) < 0) {
		fprintf(stderr, "echo-server: '%s' port '%s': need a numeric "
				"IPv4/IPv6 address and a port 0-65535\n",
			host, port);
		return -EINVAL;
	}
	s->listener.handle.data = s;
	ret = uring_tcp_init(&s->loop, &s->listener);
	if (!ret)
		ret = uring_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0);
	if (!ret)
		ret = uring_stream_listen(&s->listener, 1024, on_connection);
	if (ret < 0) {
		fprintf(stderr, "echo-server: cannot listen on %s port %s: "
				"%s\n", host, port, uring_strerror(ret));
		return ret;
	}
	ret = watch_signals(s);
	if (ret < 0)
		fprintf(stderr, "echo-server: signals: %s\n",
			uring_strerror(ret));
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct server s; /* large (connections are not) */
	const char *host = "127.0.0.1", *port = "7000";
	bool failed;
	int c, ret;

	while ((c = getopt_long(argc, argv, "H:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = uring_loop_init(&s.loop, NULL);
	if (ret < 0) {
		fprintf(stderr, "echo-server: uring_loop_init: %s\n",
			uring_setup_strerror(ret));
		return 1;
	}
	failed = start_server(&s, host, port) < 0;
	if (failed)
		stop_server(&s); /* still close what was opened, cleanly */
	else
		print_listening(&s.listener);

	/* Returns once every handle is closed (after a signal). */
	ret = uring_loop_run(&s.loop, URING_RUN_DEFAULT);
	if (ret < 0) {
		fprintf(stderr, "echo-server: uring_loop_run: %s\n",
			uring_strerror(ret));
		failed = true;
	}
	ret = uring_loop_close(&s.loop);
	if (ret < 0) {
		fprintf(stderr, "echo-server: uring_loop_close: %s\n",
			uring_strerror(ret));
		failed = true;
	}
	if (failed || s.failed)
		return 1;
	printf("echo-server: echoed %llu bytes on %llu connections\n", s.bytes,
	       s.accepted);
	return 0;
}
