/* SPDX-License-Identifier: MIT */
/*
 * proxy: a TCP proxy.  Every connection to the listening address gets its
 * own connection to the upstream address, and bytes flow both ways.
 *
 *   proxy --connect H:P [--listen H:P]
 *
 * What it shows, beyond examples/echo-server.c:
 *   - a client connection (uring_tcp_connect with a deadline) made from a
 *     server's accept;
 *   - two streams per connection, each read into the loop's pool and
 *     forwarded without a copy (the pool buffer is kept until its write
 *     to the other side is done);
 *   - backpressure both ways: while one side's writes are behind, the
 *     other side is not read;
 *   - half-close: an EOF from one side becomes a shutdown of the other
 *     (after the writes queued to it), and the pair is closed only when
 *     both directions have ended, or at the first error on either side.
 *
 * Guide: docs/guide/tcp-server.md.
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

/* Backpressure per direction, as in echo-server.c: pool buffers are
 * shared by every connection, so one direction holds at most MAX_WRITES
 * of them and HIGH_WATER bytes. */
#define MAX_WRITES 8
#define HIGH_WATER (64 * 1024)
#define LOW_WATER (HIGH_WATER / 2)
#define CONNECT_TIMEOUT_MS 5000

struct side;

/* Bytes read from one side, on their way to the other. */
struct fwd {
	struct uring_write req;
	struct side *to;
	int buf_id; /* the kept pool buffer, or -1 */
	void *copy; /* or a copy, if it could not be kept */
	bool busy;
};

/* One of the two streams of a proxied connection. */
struct side {
	struct uring_stream stream; /* first: a stream is its side */
	struct pair *pair;
	struct side *peer;
	struct uring_shutdown shutdown;
	struct fwd writes[MAX_WRITES]; /* writes *to* this side */
	unsigned writes_busy;
	bool paused;     /* not read: the peer's writes are behind */
	bool read_done;  /* EOF read from this side */
	bool write_done; /* our shutdown of this side is done */
};

struct proxy {
	struct uring_loop loop;
	struct uring_stream listener;
	struct uring_signal sigint, sigterm;
	struct sockaddr_storage upstream;
	struct pair *pairs;
	unsigned long long pairs_total, bytes_up, bytes_down, failed_connects;
	bool stopping, failed;
};

struct pair {
	struct side client, server;
	struct uring_connect connect;
	struct proxy *proxy;
	struct pair *prev, *next;
	unsigned open; /* sides not closed yet: freed at 0 */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: proxy --connect H:P [--listen H:P]\n"
		"Accepts TCP connections on the --listen address (default\n"
		"127.0.0.1:9000) and connects each to the --connect address;\n"
		"bytes flow both ways, half-closes are passed on.  H is a numeric\n"
		"IPv4 address, or an IPv6 one in brackets ([::1]:80).  SIGINT or\n"
		"SIGTERM shut it down cleanly.\n");
}

/* "H:P" or "[H]:P", numeric only: resolving a name would block the loop. */
static int parse_hostport(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2], *end;
	size_t hlen;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++; /* strip the brackets of an IPv6 address */
		hlen -= 2;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------- closing */

static void on_side_closed(struct uring_handle *handle)
{
	struct side *s = (struct side *)handle;
	struct pair *p = s->pair;
	struct proxy *px = p->proxy;

	if (--p->open)
		return;
	if (p->prev)
		p->prev->next = p->next;
	else
		px->pairs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	free(p);
}

/* Either side failed, or both directions are done: close both. */
static void pair_close(struct pair *p)
{
	if (!uring_is_closing(&p->client.stream.handle))
		uring_close(&p->client.stream.handle, on_side_closed);
	if (!uring_is_closing(&p->server.stream.handle))
		uring_close(&p->server.stream.handle, on_side_closed);
}

static void maybe_finished(struct pair *p)
{
	if (p->client.read_done && p->server.read_done &&
	    p->client.write_done && p->server.write_done)
		pair_close(p);
}

/* ------------------------------------------------------------- forwarding */

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf);
static void stop_proxy(struct proxy *px);

static bool behind(const struct side *to)
{
	return to->writes_busy == MAX_WRITES ||
	       uring_stream_write_queue_size(&to->stream) > HIGH_WATER;
}

static bool caught_up(const struct side *to)
{
	return to->writes_busy <= MAX_WRITES / 2 &&
	       uring_stream_write_queue_size(&to->stream) <= LOW_WATER;
}

static void on_forwarded(struct uring_write *req, int status)
{
	struct fwd *f = (struct fwd *)req;
	struct side *to = f->to, *from = to->peer;

	if (f->buf_id >= 0)
		uring_loop_buf_release(&to->pair->proxy->loop, f->buf_id);
	free(f->copy);
	f->busy = false;
	to->writes_busy--;
	if (status < 0) { /* -ECANCELED (closing) or the side went away */
		pair_close(to->pair);
		return;
	}
	if (from->paused && caught_up(to)) {
		from->paused = false;
		if (uring_stream_read_start(&from->stream, on_read) < 0)
			pair_close(to->pair);
	}
}

static struct fwd *take_slot(struct side *to)
{
	for (unsigned i = 0; i < MAX_WRITES; i++) {
		if (!to->writes[i].busy) {
			to->writes[i].busy = true;
			to->writes_busy++;
			return &to->writes[i];
		}
	}
	return NULL; /* cannot happen: reading pauses when all are busy */
}

/* Queue the bytes just read from `from` to its peer, keeping the buffer. */
static int forward(struct side *from, const struct iovec *buf, size_t n)
{
	struct side *to = from->peer;
	struct fwd *f = take_slot(to);
	struct iovec out = {.iov_base = buf->iov_base, .iov_len = n};

	if (!f)
		return -ENOBUFS;
	f->to = to;
	f->copy = NULL;
	f->buf_id = uring_stream_buf_keep(&from->stream);
	if (f->buf_id < 0) {
		f->copy = malloc(n);
		if (!f->copy) {
			f->busy = false;
			to->writes_busy--;
			return -ENOMEM;
		}
		out.iov_base = memcpy(f->copy, buf->iov_base, n);
	}
	return uring_stream_write(&f->req, &to->stream, &out, 1, on_forwarded);
}

static void on_shutdown(struct uring_shutdown *req, int status)
{
	struct side *to = req->data;

	if (status < 0) {
		pair_close(to->pair);
		return;
	}
	to->write_done = true;
	maybe_finished(to->pair);
}

/* The peer of `from` gets our FIN once the writes queued to it are out. */
static void pass_eof(struct side *from)
{
	struct side *to = from->peer;

	from->read_done = true;
	to->shutdown.data = to;
	if (uring_stream_shutdown(&to->shutdown, &to->stream, on_shutdown) < 0)
		pair_close(from->pair);
}

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf)
{
	struct side *from = (struct side *)stream;
	struct proxy *px = from->pair->proxy;
	int ret;

	if (nread == URING_EOF) {
		pass_eof(from);
		return;
	}
	if (nread < 0) {
		pair_close(from->pair);
		return;
	}
	if (nread == 0)
		return;
	if (from == &from->pair->client)
		px->bytes_up += (size_t)nread;
	else
		px->bytes_down += (size_t)nread;
	ret = forward(from, buf, (size_t)nread);
	if (ret < 0) {
		pair_close(from->pair);
		return;
	}
	if (behind(from->peer)) {
		uring_stream_read_stop(stream);
		from->paused = true;
	}
}

/* ------------------------------------------------------------- setting up */

static void on_connected(struct uring_connect *req, int status)
{
	struct pair *p = req->data;

	if (status < 0) {
		if (status != -ECANCELED) {
			p->proxy->failed_connects++;
			fprintf(stderr, "proxy: upstream: %s\n",
				uring_strerror(status));
		}
		pair_close(p);
		return;
	}
	uring_tcp_nodelay(&p->client.stream, true);
	uring_tcp_nodelay(&p->server.stream, true);
	if (uring_stream_read_start(&p->client.stream, on_read) < 0 ||
	    uring_stream_read_start(&p->server.stream, on_read) < 0)
		pair_close(p);
}

static void link_sides(struct pair *p)
{
	p->client.pair = p->server.pair = p;
	p->client.peer = &p->server;
	p->server.peer = &p->client;
}

static void on_connection(struct uring_stream *listener, int status)
{
	struct proxy *px = listener->handle.data;
	struct pair *p;
	int ret;

	if (status < 0) { /* the listener has stopped: give up */
		fprintf(stderr, "proxy: accept: %s\n", uring_strerror(status));
		px->failed = true;
		stop_proxy(px);
		return;
	}
	/* libuv's order: initialise the client's handle, then accept into
	 * it.  Without memory, give up: a connection not accepted stays with
	 * the listener, which accepts no other until it is taken. */
	p = calloc(1, sizeof(*p));
	ret = p ? uring_tcp_init(&px->loop, &p->client.stream) : -ENOMEM;
	if (ret < 0) {
		fprintf(stderr, "proxy: %s\n", uring_strerror(ret));
		free(p);
		px->failed = true;
		stop_proxy(px);
		return;
	}
	p->proxy = px;
	link_sides(p);
	p->open = 1;
	p->next = px->pairs;
	if (px->pairs)
		px->pairs->prev = p;
	px->pairs = p;
	ret = uring_stream_accept(listener, &p->client.stream);
	if (ret < 0) { /* on_side_closed() unlinks and frees it */
		uring_close(&p->client.stream.handle, on_side_closed);
		return;
	}
	px->pairs_total++;
	ret = uring_tcp_init(&px->loop, &p->server.stream);
	if (ret < 0) { /* only the client to close */
		fprintf(stderr, "proxy: upstream: %s\n", uring_strerror(ret));
		uring_close(&p->client.stream.handle, on_side_closed);
		return;
	}
	p->open = 2;
	/* Read the client only once the upstream is there to take it. */
	p->connect.data = p;
	ret = uring_tcp_connect(&p->connect, &p->server.stream,
				(struct sockaddr *)&px->upstream,
				CONNECT_TIMEOUT_MS, on_connected);
	if (ret < 0) {
		fprintf(stderr, "proxy: upstream: %s\n", uring_strerror(ret));
		pair_close(p);
	}
}

/* ------------------------------------------------------------- shutdown */

static void close_other(struct uring_handle *h, void *arg)
{
	(void)arg;
	if (!uring_is_closing(h))
		uring_close(h, NULL); /* the listener and signal watchers */
}

static void stop_proxy(struct proxy *px)
{
	px->stopping = true;
	for (struct pair *p = px->pairs; p; p = p->next)
		pair_close(p);
	uring_walk(&px->loop, close_other, NULL);
}

static void on_signal(struct uring_signal *sig, int signum)
{
	struct proxy *px = sig->handle.data;

	if (px->stopping)
		return;
	fprintf(stderr, "proxy: %s, shutting down\n", strsignal(signum));
	stop_proxy(px);
}

static int start_proxy(struct proxy *px, const struct sockaddr_storage *addr)
{
	int ret;

	px->listener.handle.data = px;
	px->sigint.handle.data = px;
	px->sigterm.handle.data = px;
	ret = uring_tcp_init(&px->loop, &px->listener);
	if (!ret)
		ret = uring_tcp_bind(&px->listener,
				     (const struct sockaddr *)addr, 0);
	if (!ret)
		ret = uring_stream_listen(&px->listener, 1024, on_connection);
	if (ret < 0) {
		fprintf(stderr, "proxy: cannot listen: %s\n",
			uring_strerror(ret));
		return ret;
	}
	ret = uring_signal_init(&px->loop, &px->sigint);
	if (!ret)
		ret = uring_signal_start(&px->sigint, on_signal, SIGINT);
	if (!ret)
		ret = uring_signal_init(&px->loop, &px->sigterm);
	if (!ret)
		ret = uring_signal_start(&px->sigterm, on_signal, SIGTERM);
	if (ret < 0)
		fprintf(stderr, "proxy: signals: %s\n", uring_strerror(ret));
	return ret;
}

static void print_listening(struct proxy *px)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (uring_tcp_getsockname(&px->listener, (struct sockaddr *)&ss,
				  &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, host,
				  sizeof(host));
			port = ntohs(in6->sin6_port);
		} else {
			struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
			port = ntohs(in4->sin_port);
		}
	}
	/* Scripts wait for this line and take the port from it. */
	printf("proxy: listening on %s%s%s:%u\n",
	       ss.ss_family == AF_INET6 ? "[" : "", host,
	       ss.ss_family == AF_INET6 ? "]" : "", port);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"connect", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct proxy px;
	const char *listen_at = "127.0.0.1:9000", *connect_to = NULL;
	struct sockaddr_storage addr;
	bool failed;
	int c, ret;

	while ((c = getopt_long(argc, argv, "l:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_at = optarg;
			break;
		case 'c':
			connect_to = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !connect_to) {
		usage(stderr);
		return 2;
	}
	if (parse_hostport(listen_at, &addr) < 0 ||
	    parse_hostport(connect_to, &px.upstream) < 0) {
		fprintf(stderr, "proxy: addresses are numeric H:P or [H]:P "
				"(got '%s' and '%s')\n",
			listen_at, connect_to);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = uring_loop_init(&px.loop, NULL);
	if (ret < 0) {
		fprintf(stderr, "proxy: uring_loop_init: %s\n",
			uring_setup_strerror(ret));
		return 1;
	}
	failed = start_proxy(&px, &addr) < 0;
	if (failed)
		stop_proxy(&px); /* still close what was opened, cleanly */
	else
		print_listening(&px);

	ret = uring_loop_run(&px.loop, URING_RUN_DEFAULT);
	if (ret < 0) {
		fprintf(stderr, "proxy: uring_loop_run: %s\n",
			uring_strerror(ret));
		failed = true;
	}
	ret = uring_loop_close(&px.loop);
	if (ret < 0) {
		fprintf(stderr, "proxy: uring_loop_close: %s\n",
			uring_strerror(ret));
		failed = true;
	}
	if (failed || px.failed)
		return 1;
	printf("proxy: %llu connections (%llu upstream connects failed), "
	       "%llu bytes up, %llu bytes down\n",
	       px.pairs_total, px.failed_connects, px.bytes_up, px.bytes_down);
	return 0;
}
