/* SPDX-License-Identifier: MIT */
/*
 * http-server: a small keep-alive HTTP/1.1 server, one loop per thread.
 *
 *   http-server [--host H] [--port P] [--threads N] [--idle-timeout MS]
 *               [--spin USEC] [--wait-batch N:USEC]
 *
 * GET / answers 200 with a short text; other paths 404, other methods
 * 405.  What it shows, beyond examples/echo-server.c:
 *   - parsing requests straight out of the loop's pool buffers, with
 *     several (pipelined) requests in one read and a request split across
 *     reads; only an unfinished request head is copied (examples/http-
 *     parse.c is the parser: a pure function, easy to test and fuzz);
 *   - the answers to one read go out as one write;
 *   - limits: an 8 KiB request head (431), an idle deadline (no complete
 *     request for 10 s closes the connection: bytes trickling in do not
 *     extend it, so a slowloris client cannot keep one open; tests/http-
 *     hostile-test checks it), a bad request gets 400;
 *     after an error, "Connection: close" or an HTTP/1.0 request without
 *     keep-alive, the answer goes out, then a shutdown, then the close;
 *   - backpressure: a client that pipelines requests without reading the
 *     answers stops being read until they drain;
 *   - --threads N: N threads, each with its own loop and its own listener
 *     on the same port (URING_TCP_REUSEPORT): the kernel spreads the
 *     connections and the threads share nothing;
 *   - --spin and --wait-batch: the loop's two trades, set through
 *     struct uring_loop_options (busy-poll before each wait for latency;
 *     batched waits for fewer system calls under load; both off by
 *     default; docs/guide/tcp-server.md says what each costs).
 * SIGINT/SIGTERM close everything; it then prints what it served.
 *
 * Guide: docs/guide/tcp-server.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uring/loop.h>
#include <uring/stream.h>

#include "http-parse.h"

#define MAX_HEAD 8192          /* request head limit: 431 beyond */
#define MAX_BODY (1024 * 1024) /* bodies are read and dropped; 413 beyond */
#define OUT_SIZE 4096          /* answers gathered per write */
#define HIGH_WATER (64 * 1024) /* stop reading above this many bytes queued */
#define LOW_WATER (32 * 1024)  /* and resume at or below this */
#define LINGER_MS 2000         /* a closing connection waits this for EOF */
#define MAX_THREADS 64

/* ------------------------------------------------------------- answers */

enum reply {
	REPLY_OK,
	REPLY_NOT_FOUND,
	REPLY_BAD_METHOD,
	REPLY_BAD_REQUEST,
	REPLY_TOO_LARGE,
	REPLY_HEAD_TOO_LARGE,
	REPLY_NOT_IMPLEMENTED,
	REPLY_BAD_VERSION,
	REPLY_COUNT
};

static const struct {
	int status;
	const char *reason, *extra, *body;
} replies[REPLY_COUNT] = {
	[REPLY_OK] = {200, "OK", "", "Hello from uringloop!\n"},
	[REPLY_NOT_FOUND] = {404, "Not Found", "", "Not found\n"},
	[REPLY_BAD_METHOD] = {405, "Method Not Allowed", "Allow: GET\r\n",
			  "Only GET is served here\n"},
	[REPLY_BAD_REQUEST] = {400, "Bad Request", "", "Bad request\n"},
	[REPLY_TOO_LARGE] = {413, "Content Too Large", "", "Body too large\n"},
	[REPLY_HEAD_TOO_LARGE] = {431, "Request Header Fields Too Large", "",
			      "Request head too large\n"},
	[REPLY_NOT_IMPLEMENTED] = {501, "Not Implemented", "",
			       "Transfer-Encoding is not supported\n"},
	[REPLY_BAD_VERSION] = {505, "HTTP Version Not Supported", "",
			   "Only HTTP/1.x is served here\n"},
};

/* Every answer, with and without keep-alive, made once at start-up: the
 * hot path only copies bytes. */
static char reply_text[REPLY_COUNT][2][320];
static size_t reply_len[REPLY_COUNT][2];

static void make_replies(void)
{
	for (int r = 0; r < REPLY_COUNT; r++) {
		for (int keep = 0; keep < 2; keep++) {
			int n = snprintf(reply_text[r][keep],
					 sizeof(reply_text[r][keep]),
					 "HTTP/1.1 %d %s\r\n"
					 "Content-Type: text/plain\r\n"
					 "Content-Length: %zu\r\n"
					 "%sConnection: %s\r\n\r\n%s",
					 replies[r].status, replies[r].reason,
					 strlen(replies[r].body),
					 replies[r].extra,
					 keep ? "keep-alive" : "close",
					 replies[r].body);

			reply_len[r][keep] = (size_t)n;
		}
	}
}

static enum reply reply_for_status(int status)
{
	switch (status) {
	case 431:
		return REPLY_HEAD_TOO_LARGE;
	case 501:
		return REPLY_NOT_IMPLEMENTED;
	case 505:
		return REPLY_BAD_VERSION;
	default:
		return REPLY_BAD_REQUEST;
	}
}

/* ------------------------------------------------------------- types */

struct config {
	struct sockaddr_storage addr;
	unsigned threads;
	uint64_t idle_ms;
	struct uring_loop_options loop; /* --spin, --wait-batch */
};

/* One thread: its loop, its listener, its connections. */
struct worker {
	struct uring_loop loop;
	struct uring_stream listener;
	struct uring_signal sigint, sigterm;
	struct uring_timer sweep;
	unsigned idle_ticks; /* sweeps before a close */
	struct conn *conns;
	const struct config *cfg;
	struct sockaddr_storage addr; /* to bind; the bound one once ready */
	unsigned long long requests, connections, bad, idle_closed;
	bool stopping;
	int result; /* 0, or the error that ended the thread */
	/* start-up handshake with the main thread */
	pthread_t thread;
	pthread_mutex_t *lock;
	pthread_cond_t *cond;
	bool ready;
};

struct out;

struct conn {
	struct uring_stream stream; /* first: a stream is its connection */
	struct worker *w;
	struct conn *prev, *next;
	unsigned quiet;     /* sweeps without a complete request */
	bool active;        /* a request completed since the last sweep */
	uint64_t body_left; /* body bytes of this request still to drop */
	struct out *out;    /* answers gathered during this read */
	char *held;         /* an unfinished request head, copied */
	size_t held_len;
	bool paused;        /* reading stopped: too much to write */
	bool draining;      /* answering no more: closing gracefully */
};

/* A write of gathered answers. */
struct out {
	struct uring_write req;
	struct conn *conn;
	size_t len;
	char data[OUT_SIZE];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: http-server [--host H] [--port P] [--threads N]\n"
		"                   [--idle-timeout MS] [--spin USEC]\n"
		"                   [--wait-batch N:USEC]\n"
		"Serves HTTP/1.1 on H:P (default 127.0.0.1:8080; H a numeric\n"
		"IPv4/IPv6 address, P 0 picks a free port): GET / answers 200,\n"
		"other paths 404.  Keep-alive and pipelining; request heads up\n"
		"to 8 KiB; connections without a complete request for MS\n"
		"milliseconds (default 10000) are closed, even while the bytes\n"
		"of an unfinished one keep coming.  N threads (default 1, at\n"
		"most %d) each run a loop with a listener on the same port.\n"
		"--spin: each loop busy-polls up to USEC before it sleeps\n"
		"(lower latency, more CPU); --wait-batch: each wait asks for N\n"
		"completions, going on with fewer after USEC (fewer system\n"
		"calls under load, up to USEC more latency; Linux 6.12+).\n"
		"SIGINT or SIGTERM stop it; it prints what it served.\n",
		MAX_THREADS);
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

/* ------------------------------------------------------------- closing */

static void on_conn_closed(struct uring_handle *handle)
{
	struct conn *c = (struct conn *)handle;

	if (c->prev)
		c->prev->next = c->next;
	else
		c->w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->held);
	free(c); /* write callbacks have all run: c->out is NULL */
}

static void conn_close(struct conn *c)
{
	if (!uring_is_closing(&c->stream.handle))
		uring_close(&c->stream.handle, on_conn_closed);
}

/* ------------------------------------------------------------- writing */

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf);
static void stop_worker(struct worker *w);

static void on_written(struct uring_write *req, int status)
{
	struct out *o = req->data;
	struct conn *c = o->conn;

	free(o);
	if (status < 0) { /* the client is gone, or we closed */
		conn_close(c);
		return;
	}
	if (c->paused && !c->draining &&
	    uring_stream_write_queue_size(&c->stream) <= LOW_WATER) {
		c->paused = false;
		if (uring_stream_read_start(&c->stream, on_read) < 0)
			conn_close(c);
	}
}

/* Send the answers gathered so far. */
static void flush(struct conn *c)
{
	struct out *o = c->out;
	struct iovec iov;

	if (!o)
		return;
	c->out = NULL;
	iov.iov_base = o->data;
	iov.iov_len = o->len;
	o->req.data = o;
	if (uring_stream_write(&o->req, &c->stream, &iov, 1, on_written) < 0) {
		free(o);
		conn_close(c);
	}
}

static void respond(struct conn *c, enum reply r, bool keep_alive)
{
	size_t len = reply_len[r][keep_alive];

	if (c->out && c->out->len + len > OUT_SIZE)
		flush(c);
	if (!c->out) {
		c->out = malloc(sizeof(*c->out));
		if (!c->out) {
			conn_close(c);
			return;
		}
		c->out->conn = c;
		c->out->len = 0;
	}
	memcpy(c->out->data + c->out->len, reply_text[r][keep_alive], len);
	c->out->len += len;
}

/* Answer nothing more: the answers gathered go out, then our FIN; the
 * client's bytes are read and dropped until it closes (closing with
 * unread bytes would send a reset, which can destroy our last answer
 * before the client has read it), for LINGER_MS at most. */
static void start_draining(struct conn *c)
{
	c->draining = true;
	c->paused = false; /* the graceful close reads from now on */
	flush(c);
	if (uring_stream_close_graceful(&c->stream, LINGER_MS,
					on_conn_closed) < 0)
		conn_close(c);
}

/* ------------------------------------------------------------- requests */

static enum reply route(const struct http_request *req)
{
	if (req->method_len != 3 || memcmp(req->method, "GET", 3) != 0)
		return REPLY_BAD_METHOD;
	if (req->target_len != 1 || req->target[0] != '/')
		return REPLY_NOT_FOUND;
	return REPLY_OK;
}

/* Answer one parsed request; false when the connection is to end. */
static bool serve(struct conn *c, const struct http_request *req)
{
	struct worker *w = c->w;

	w->requests++;
	c->active = true;
	if (req->content_length > MAX_BODY) {
		respond(c, REPLY_TOO_LARGE, false);
		return false;
	}
	c->body_left = req->content_length;
	respond(c, route(req), req->keep_alive);
	return req->keep_alive;
}

/* A request we cannot serve: answer with `status`, then close. */
static void reject(struct conn *c, int status)
{
	c->w->bad++;
	respond(c, reply_for_status(status), false);
	start_draining(c);
}

/* Answer the requests at the start of p[0..n); returns the bytes used.
 * What is left is the start of a request head still to come. */
static size_t handle_bytes(struct conn *c, const char *p, size_t n)
{
	struct http_request req;
	size_t used = 0;
	int ret;

	while (used < n && !c->draining) {
		if (c->body_left) {
			size_t k = n - used < c->body_left ? n - used
							     : c->body_left;

			used += k;
			c->body_left -= k;
			continue;
		}
		ret = http_parse_request(p + used, n - used, MAX_HEAD, &req);
		if (ret == 0)
			break;
		if (ret < 0) {
			reject(c, -ret);
			break;
		}
		used += (size_t)ret;
		if (!serve(c, &req))
			start_draining(c);
	}
	return used;
}

/*
 * The previous read ended inside a request head, which was copied to
 * c->held: add bytes until it is complete.  Returns the bytes of p used,
 * or n when all were used (or the connection ends).
 */
static size_t finish_held(struct conn *c, const char *p, size_t n)
{
	size_t old = c->held_len;
	size_t take = n < MAX_HEAD - old ? n : MAX_HEAD - old;
	struct http_request req;
	int ret;

	memcpy(c->held + old, p, take);
	c->held_len += take;
	ret = http_parse_request(c->held, c->held_len, MAX_HEAD, &req);
	if (ret == 0)
		return n; /* still incomplete (and take == n: held not full) */
	c->held_len = 0;
	if (ret < 0 || (size_t)ret <= old) {
		reject(c, ret < 0 ? -ret : 400);
		return n;
	}
	if (!serve(c, &req))
		start_draining(c);
	return (size_t)ret - old;
}

/* Keep the start of an unfinished request head for the next read. */
static void hold(struct conn *c, const char *p, size_t n)
{
	if (!c->held) {
		c->held = malloc(MAX_HEAD);
		if (!c->held) {
			conn_close(c);
			return;
		}
	}
	memcpy(c->held, p, n); /* n < MAX_HEAD, or the parser said 431 */
	c->held_len = n;
}

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf)
{
	struct conn *c = (struct conn *)stream;
	const char *p = buf->iov_base;
	size_t n = (size_t)nread, used;

	if (nread < 0) {
		/* A client may send its requests, shut down its side and then
		 * read: the answers still go out before the close. */
		if (nread == URING_EOF)
			start_draining(c);
		else
			conn_close(c);
		return;
	}
	if (c->draining || nread == 0)
		return; /* dropped: we are closing */
	if (c->held_len) {
		used = finish_held(c, p, n);
		p += used;
		n -= used;
	}
	used = handle_bytes(c, p, n);
	if (!c->draining && used < n)
		hold(c, p + used, n - used);
	flush(c);
	if (!c->draining && !uring_is_closing(&stream->handle) &&
	    uring_stream_write_queue_size(stream) > HIGH_WATER) {
		uring_stream_read_stop(stream);
		c->paused = true;
	}
}

/* ------------------------------------------------------------- accepting */

/* Close callback of a connection that was never accepted: its handle is
 * the start of its memory (the stream is the first member). */
static void free_handle(struct uring_handle *handle)
{
	free(handle);
}

static void on_connection(struct uring_stream *listener, int status)
{
	struct worker *w = listener->handle.data;
	struct conn *c;
	int ret;

	if (status < 0) { /* the listener has stopped: give up */
		w->result = status;
		stop_worker(w);
		return;
	}
	/* libuv's order: initialise the connection's handle, then accept
	 * into it.  Without memory, give up: a connection not accepted stays
	 * with the listener, which accepts no other until it is taken. */
	c = calloc(1, sizeof(*c));
	if (!c || uring_tcp_init(&w->loop, &c->stream) < 0) {
		free(c);
		w->result = -ENOMEM;
		stop_worker(w);
		return;
	}
	ret = uring_stream_accept(listener, &c->stream);
	if (ret < 0) {
		uring_close(&c->stream.handle, free_handle);
		return;
	}
	c->w = w;
	c->active = true;
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->connections++;
	/* Answers are small and go out at once: no Nagle delay. */
	uring_tcp_nodelay(&c->stream, true);
	if (uring_stream_read_start(&c->stream, on_read) < 0)
		conn_close(c);
}

/*
 * The idle deadline: one repeating timer per loop (a "sweep", every
 * quarter of the deadline) counts, for each connection, the sweeps in a
 * row that saw no complete request, and closes the connection once they
 * cover the deadline.  A request only sets a flag: no clock read, no timer
 * restart.  (A uring_timer per connection works too, timers cost no
 * syscall, but each request would then move it in the loop's heap.)
 * A connection closes between idle_ms and idle_ms + one sweep after its
 * last request.
 */
static void on_sweep(struct uring_timer *timer)
{
	struct worker *w = timer->handle.data;

	for (struct conn *c = w->conns; c; c = c->next) {
		if (c->active) {
			c->active = false;
			c->quiet = 0;
			continue;
		}
		if (c->draining || ++c->quiet < w->idle_ticks)
			continue; /* a closing one has its own deadline */
		if (!uring_is_closing(&c->stream.handle)) {
			w->idle_closed++;
			conn_close(c);
		}
	}
}

/* ------------------------------------------------------------- a worker */

static void close_other(struct uring_handle *h, void *arg)
{
	(void)arg;
	if (!uring_is_closing(h))
		uring_close(h, NULL); /* listener, timer, signal watchers */
}

static void stop_worker(struct worker *w)
{
	w->stopping = true;
	for (struct conn *c = w->conns; c; c = c->next)
		conn_close(c);
	uring_walk(&w->loop, close_other, NULL);
}

static void on_signal(struct uring_signal *sig, int signum)
{
	struct worker *w = sig->handle.data;

	(void)signum;
	if (!w->stopping)
		stop_worker(w);
}

static int start_signals(struct worker *w)
{
	int ret;

	w->sigint.handle.data = w;
	w->sigterm.handle.data = w;
	ret = uring_signal_init(&w->loop, &w->sigint);
	if (!ret)
		ret = uring_signal_start(&w->sigint, on_signal, SIGINT);
	if (!ret)
		ret = uring_signal_init(&w->loop, &w->sigterm);
	if (!ret)
		ret = uring_signal_start(&w->sigterm, on_signal, SIGTERM);
	return ret;
}

static int start_worker(struct worker *w)
{
	uint64_t tick = w->cfg->idle_ms / 4;
	socklen_t len = sizeof(w->addr);
	unsigned flags = w->cfg->threads > 1 ? URING_TCP_REUSEPORT : 0;
	int ret;

	w->listener.handle.data = w;
	ret = uring_tcp_init(&w->loop, &w->listener);
	if (!ret)
		ret = uring_tcp_bind(&w->listener, (struct sockaddr *)&w->addr,
				     flags);
	if (!ret)
		ret = uring_stream_listen(&w->listener, 1024, on_connection);
	if (!ret)
		ret = uring_tcp_getsockname(&w->listener,
					    (struct sockaddr *)&w->addr, &len);
	if (ret < 0)
		return ret;
	w->sweep.handle.data = w;
	if (tick > 1000)
		tick = 1000;
	if (tick < 10)
		tick = 10;
	w->idle_ticks = (unsigned)((w->cfg->idle_ms + tick - 1) / tick);
	ret = uring_timer_init(&w->loop, &w->sweep);
	if (!ret)
		ret = uring_timer_start(&w->sweep, on_sweep, tick, tick);
	if (!ret)
		ret = start_signals(w);
	return ret;
}

static void report_ready(struct worker *w)
{
	pthread_mutex_lock(w->lock);
	w->ready = true;
	pthread_cond_broadcast(w->cond);
	pthread_mutex_unlock(w->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int ret = uring_loop_init(&w->loop, &w->cfg->loop);

	if (ret < 0) {
		w->result = ret;
		report_ready(w);
		return NULL;
	}
	w->result = start_worker(w);
	report_ready(w);
	if (w->result < 0)
		stop_worker(w); /* close what was opened, then the loop */
	ret = uring_loop_run(&w->loop, URING_RUN_DEFAULT);
	if (ret < 0 && !w->result)
		w->result = ret;
	ret = uring_loop_close(&w->loop);
	if (ret < 0 && !w->result)
		w->result = ret;
	return NULL;
}

/* ------------------------------------------------------------- main */

static int parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"threads", required_argument, NULL, 't'},
		{"idle-timeout", required_argument, NULL, 'i'},
		{"spin", required_argument, NULL, 's'},
		{"wait-batch", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *host = "127.0.0.1", *port = "8080";
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->threads = 1;
	cfg->idle_ms = 10000;
	while ((c = getopt_long(argc, argv, "H:p:t:i:s:b:h", longopts, NULL)) >=
	       0) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 't':
			cfg->threads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			cfg->idle_ms = strtoull(optarg, NULL, 10);
			break;
		case 's':
			cfg->loop.spin_usec = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			if (sscanf(optarg, "%u:%u", &cfg->loop.wait_batch,
				   &cfg->loop.wait_batch_usec) != 2) {
				usage(stderr);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !cfg->threads || cfg->threads > MAX_THREADS ||
	    !cfg->idle_ms) {
		usage(stderr);
		return -1;
	}
	if (parse_addr(host, port, &cfg->addr) < 0) {
		fprintf(stderr, "http-server: '%s' port '%s': need a numeric "
				"IPv4/IPv6 address and a port 0-65535\n",
			host, port);
		return -1;
	}
	return 0;
}

static void print_address(const char *what, const struct sockaddr_storage *ss,
			  unsigned threads)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in4 = (const void *)ss;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		port = ntohs(in4->sin_port);
	}
	/* Scripts wait for this line and take the port from it. */
	printf("http-server: %s %s%s%s:%u (%u thread%s)\n", what,
	       ss->ss_family == AF_INET6 ? "[" : "", host,
	       ss->ss_family == AF_INET6 ? "]" : "", port, threads,
	       threads == 1 ? "" : "s");
}

/*
 * Start the workers one at a time: the first binds (port 0 picks one), the
 * others bind the port it got.  Returns how many started.
 */
static unsigned start_workers(struct worker *ws, const struct config *cfg,
			      pthread_mutex_t *lock, pthread_cond_t *cond)
{
	unsigned i;

	for (i = 0; i < cfg->threads; i++) {
		struct worker *w = &ws[i];

		w->cfg = cfg;
		w->addr = i ? ws[0].addr : cfg->addr;
		w->lock = lock;
		w->cond = cond;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			fprintf(stderr, "http-server: cannot start a thread\n");
			break;
		}
		pthread_mutex_lock(lock);
		while (!w->ready)
			pthread_cond_wait(cond, lock);
		pthread_mutex_unlock(lock);
		if (w->result < 0) {
			i++; /* it ends on its own; join it */
			break;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	static struct worker ws[MAX_THREADS];
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	unsigned long long requests = 0, conns = 0, bad = 0, idle = 0;
	struct config cfg;
	sigset_t stop_signals, old;
	unsigned started;
	bool failed = false;

	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	make_replies();

	/*
	 * Signals: every worker's loop watches SIGINT and SIGTERM, and the
	 * handler uringloop installs wakes all of them, whichever thread it
	 * runs on.  The workers keep the two blocked (they inherit this
	 * mask), so the main thread takes them, and only once every worker
	 * watches: a signal that comes during start-up waits until then.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
	started = start_workers(ws, &cfg, &lock, &cond);
	if (started == cfg.threads && ws[started - 1].result == 0) {
		print_address("listening on", &ws[0].addr, cfg.threads);
		/* --wait-batch is a hint the kernel may not take (< 6.12) */
		if (cfg.loop.wait_batch > 1 &&
		    uring_loop_wait_batch(&ws[0].loop) == 1)
			fprintf(stderr, "http-server: this kernel has no "
					"minimum wait: waits not batched\n");
	} else {
		failed = true;
		/* Stop the workers that did start (they watch SIGTERM). */
		if (started > 0 && ws[0].result == 0)
			kill(getpid(), SIGTERM);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	for (unsigned i = 0; i < started; i++) {
		pthread_join(ws[i].thread, NULL);
		if (ws[i].result < 0) {
			fprintf(stderr, "http-server: thread %u: %s\n", i,
				uring_strerror(ws[i].result));
			failed = true;
		}
		requests += ws[i].requests;
		conns += ws[i].connections;
		bad += ws[i].bad;
		idle += ws[i].idle_closed;
	}
	printf("http-server: served %llu requests on %llu connections "
	       "(%llu bad requests, %llu closed idle)\n",
	       requests, conns, bad, idle);
	return failed ? 1 : 0;
}
