/* SPDX-License-Identifier: MIT */
/*
 * http-load: a small HTTP/1.1 load client on the loop.
 *
 *   http-load [--host H] [--port P] [--path /] [--seconds S]
 *             [--connections C] [--pipeline D]
 *
 * Opens C keep-alive connections and on each sends D GET requests at a
 * time, the next D once all D answers are in, for S seconds; then prints
 * how many requests were answered per second, and the errors.  It exits 1
 * if there was any error (a refused connection, a reset, a non-200
 * answer, a server that closes a keep-alive connection) or no answer.
 *
 * The client side of uringloop streams: uring_tcp_connect with a
 * deadline, and reading with uring_stream_read_start_alloc into a buffer
 * of each connection's own (answers can end anywhere in a read, so the
 * bytes must stay until the answer is complete: an own buffer is simpler
 * here than keeping pool buffers).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <uring/loop.h>
#include <uring/stream.h>

#define MAX_CONNECTIONS 10000
#define MAX_PIPELINE 64
#define MAX_SECONDS 3600
#define CONNECT_TIMEOUT_MS 5000
#define BUF_SIZE 16384 /* the longest answer we take */

struct load;

struct client {
	struct uring_stream stream; /* first: a stream is its client */
	struct load *load;
	struct uring_connect connect;
	struct uring_write write;
	unsigned waiting; /* requests sent, answers not read yet */
	size_t len;       /* bytes in buf */
	char buf[BUF_SIZE];
};

struct load {
	struct uring_loop loop;
	struct uring_timer timer;
	struct client *clients;
	unsigned nclients, open;
	struct sockaddr_storage addr;
	char *batch; /* D requests back to back, written as one */
	size_t batch_len;
	unsigned pipeline;
	unsigned long long answers, errors;
	char first_error[160];
	bool done;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: http-load [--host H] [--port P] [--path /] [--seconds S]\n"
		"                 [--connections C] [--pipeline D]\n"
		"Sends keep-alive GET requests to H:P (default 127.0.0.1:8080;\n"
		"H numeric) over C connections (default 8, at most %d) with D\n"
		"requests in flight on each (default 1, at most %d) for S seconds\n"
		"(default 3, at most %d), then prints requests/s and errors.\n"
		"Exits 1 on any error or if no request was answered.\n",
		MAX_CONNECTIONS, MAX_PIPELINE, MAX_SECONDS);
}

static int parse_addr(const char *host, const char *port,
		      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (!*port || *end || p == 0 || p > 65535)
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

/*
 * One answer at the start of buf: its length (> 0), 0 if incomplete, -1
 * if it is not an answer we can read.  Needs a Content-Length (our server
 * and most keep-alive answers have one).
 */
static long parse_answer(const char *buf, size_t len, int *status,
			 bool *closes)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	const char *line, *next;
	long long clen = -1;
	size_t head;

	if (!end)
		return 0;
	head = (size_t)(end - buf) + 4;
	if (head < 16 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -1;
	*status = atoi(buf + 9);
	*closes = false;
	for (line = memchr(buf, '\n', head) + 1; line < end; line = next) {
		next = memchr(line, '\n', (size_t)(end + 2 - line)) + 1;
		if (strncasecmp(line, "content-length:", 15) == 0)
			clen = atoll(line + 15);
		else if (strncasecmp(line, "connection:", 11) == 0 &&
			 strncasecmp(line + 11 + strspn(line + 11, " "),
				     "close", 5) == 0)
			*closes = true;
	}
	if (clen < 0)
		return -1;
	if (len < head + (size_t)clen)
		return 0;
	return (long)(head + (size_t)clen);
}

/* ------------------------------------------------------------- ending */

static void count_error(struct load *l, const char *what, int err)
{
	l->errors++;
	if (!l->first_error[0])
		snprintf(l->first_error, sizeof(l->first_error), "%s%s%s", what,
			 err ? ": " : "", err ? uring_strerror(err) : "");
}

static void on_client_closed(struct uring_handle *h)
{
	struct client *c = (struct client *)h;
	struct load *l = c->load;

	/* The last one gone (all failed, say): no need to wait the rest of
	 * the time out. */
	if (--l->open == 0 && !uring_is_closing(&l->timer.handle))
		uring_close(&l->timer.handle, NULL);
}

static void client_close(struct client *c)
{
	if (!uring_is_closing(&c->stream.handle))
		uring_close(&c->stream.handle, on_client_closed);
}

/* Time is up: answers still on their way are not counted, nor are they
 * errors. */
static void on_time_up(struct uring_timer *timer)
{
	struct load *l = timer->handle.data;

	l->done = true;
	for (unsigned i = 0; i < l->nclients; i++)
		if (l->clients[i].load) /* initialised */
			client_close(&l->clients[i]);
	uring_close(&timer->handle, NULL);
}

/* ------------------------------------------------------------- requests */

static void on_written(struct uring_write *req, int status)
{
	struct client *c = req->data;

	if (status < 0 && !c->load->done) {
		count_error(c->load, "write", status);
		client_close(c);
	}
}

static void send_batch(struct client *c)
{
	struct load *l = c->load;
	struct iovec iov = {.iov_base = l->batch, .iov_len = l->batch_len};
	int ret;

	c->waiting = l->pipeline;
	c->write.data = c;
	ret = uring_stream_write(&c->write, &c->stream, &iov, 1, on_written);
	if (ret < 0) {
		count_error(l, "write", ret);
		client_close(c);
	}
}

/* Count the complete answers in c->buf; false if the connection ends. */
static bool take_answers(struct client *c)
{
	struct load *l = c->load;
	int status;
	bool closes;
	long n;

	while ((n = parse_answer(c->buf, c->len, &status, &closes)) > 0) {
		if (status != 200) {
			char what[40];

			snprintf(what, sizeof(what), "answer %d, not 200",
				 status);
			count_error(l, what, 0);
			return false;
		}
		if (closes) {
			count_error(l, "the server closed a keep-alive "
				       "connection after an answer", 0);
			return false;
		}
		l->answers++;
		c->waiting--;
		c->len -= (size_t)n;
		memmove(c->buf, c->buf + n, c->len);
	}
	if (n < 0 || c->len == sizeof(c->buf)) {
		count_error(l, "an answer we cannot read", 0);
		return false;
	}
	if (c->waiting == 0 && !l->done)
		send_batch(c);
	return true;
}

/* Read into the free end of the client's own buffer. */
static void on_alloc(struct uring_stream *stream, size_t suggested,
		     struct iovec *buf)
{
	struct client *c = (struct client *)stream;

	(void)suggested;
	buf->iov_base = c->buf + c->len;
	buf->iov_len = sizeof(c->buf) - c->len; /* > 0: see take_answers */
}

static void on_read(struct uring_stream *stream, ssize_t nread,
		    const struct iovec *buf)
{
	struct client *c = (struct client *)stream;

	(void)buf; /* always c->buf + c->len */
	if (nread == 0)
		return; /* the buffer handed back unused */
	if (nread < 0) {
		if (c->load->done)
			; /* we closed it: not an error */
		else if (nread == URING_EOF)
			count_error(c->load, "the server closed a "
					     "connection", 0);
		else
			count_error(c->load, "read", (int)nread);
		client_close(c);
		return;
	}
	c->len += (size_t)nread;
	if (!take_answers(c))
		client_close(c);
}

static void on_connected(struct uring_connect *req, int status)
{
	struct client *c = req->data;
	int ret;

	if (status < 0) {
		if (status != -ECANCELED)
			count_error(c->load, "connect", status);
		client_close(c);
		return;
	}
	uring_tcp_nodelay(&c->stream, true);
	ret = uring_stream_read_start_alloc(&c->stream, on_alloc, on_read);
	if (ret < 0) {
		count_error(c->load, "read", ret);
		client_close(c);
		return;
	}
	send_batch(c);
}

/* ------------------------------------------------------------- main */

static int start(struct load *l, unsigned seconds)
{
	int ret;

	l->timer.handle.data = l;
	ret = uring_timer_init(&l->loop, &l->timer);
	if (ret < 0)
		return ret;
	ret = uring_timer_start(&l->timer, on_time_up,
				(uint64_t)seconds * 1000, 0);
	for (unsigned i = 0; !ret && i < l->nclients; i++) {
		struct client *c = &l->clients[i];

		ret = uring_tcp_init(&l->loop, &c->stream);
		if (ret < 0)
			break;
		c->load = l;
		l->open++;
		c->connect.data = c;
		ret = uring_tcp_connect(&c->connect, &c->stream,
					(struct sockaddr *)&l->addr,
					CONNECT_TIMEOUT_MS, on_connected);
		if (ret < 0) { /* -EMFILE, say: an error, not a stop */
			count_error(l, "connect", ret);
			client_close(c);
			ret = 0;
		}
	}
	return ret;
}

static int make_batch(struct load *l, const char *host, const char *port,
		      const char *path)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
			 "User-Agent: uringloop-http-load\r\n\r\n",
			 path, strchr(host, ':') ? "[" : "", host,
			 strchr(host, ':') ? "]" : "", port);

	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	l->batch_len = (size_t)n * l->pipeline;
	l->batch = malloc(l->batch_len);
	if (!l->batch)
		return -1;
	for (unsigned i = 0; i < l->pipeline; i++)
		memcpy(l->batch + (size_t)n * i, req, (size_t)n);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"path", required_argument, NULL, 'P'},
		{"seconds", required_argument, NULL, 's'},
		{"connections", required_argument, NULL, 'c'},
		{"pipeline", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct load l;
	const char *host = "127.0.0.1", *port = "8080", *path = "/";
	unsigned long seconds = 3, conns = 8, depth = 1;
	double t0, elapsed;
	int c, ret;

	while ((c = getopt_long(argc, argv, "H:p:P:s:c:d:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'P':
			path = optarg;
			break;
		case 's':
			seconds = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			conns = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			depth = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !seconds || seconds > MAX_SECONDS || !conns ||
	    conns > MAX_CONNECTIONS || !depth || depth > MAX_PIPELINE ||
	    path[0] != '/' || strpbrk(path, " \r\n")) {
		usage(stderr);
		return 2;
	}
	if (parse_addr(host, port, &l.addr) < 0) {
		fprintf(stderr, "http-load: '%s' port '%s': need a numeric "
				"IPv4/IPv6 address and a port 1-65535\n",
			host, port);
		return 2;
	}
	l.pipeline = (unsigned)depth;
	l.nclients = (unsigned)conns;
	l.clients = calloc(conns, sizeof(*l.clients));
	if (!l.clients || make_batch(&l, host, port, path) < 0) {
		fprintf(stderr, "http-load: out of memory\n");
		return 1;
	}
	ret = uring_loop_init(&l.loop, NULL);
	if (ret < 0) {
		fprintf(stderr, "http-load: uring_loop_init: %s\n",
			uring_setup_strerror(ret));
		return 1;
	}
	t0 = now_s();
	ret = start(&l, (unsigned)seconds);
	if (ret < 0) { /* not expected: these only check their arguments */
		count_error(&l, "start", ret);
		if (uring_is_active(&l.timer.handle))
			on_time_up(&l.timer); /* closes what was opened */
	}
	ret = uring_loop_run(&l.loop, URING_RUN_DEFAULT);
	elapsed = now_s() - t0;
	if (ret < 0)
		count_error(&l, "uring_loop_run", ret);
	ret = uring_loop_close(&l.loop);
	if (ret < 0)
		count_error(&l, "uring_loop_close", ret);

	printf("http-load: %llu requests in %.2f s: %.0f requests/s, "
	       "%llu errors (%lu connections, pipeline %lu)\n",
	       l.answers, elapsed,
	       elapsed > 0 ? (double)l.answers / elapsed : 0, l.errors, conns,
	       depth);
	if (l.errors)
		fprintf(stderr, "http-load: first error: %s\n", l.first_error);
	free(l.clients);
	free(l.batch);
	return l.errors || !l.answers ? 1 : 0;
}
