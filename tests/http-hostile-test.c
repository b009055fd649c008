/* SPDX-License-Identifier: MIT */
/*
 * http-hostile-test: examples/http-server under hostile clients, checked
 * from the outside as a client sees it.
 *
 * The server runs on a free port of 127.0.0.1 with a 3 s request deadline
 * (--idle-timeout 3000: a connection without a complete request for that
 * long is closed) and gets, all at once,
 *   200 slowloris clients: a request head, one byte every 300 ms, never
 *       finished (a timer that only counts time since the last byte would
 *       never close them);
 *    20 silent clients: connect, send nothing;
 *    20 clients sending a 10 KiB request head (431, then closed);
 *    10 announcing a 2 MB body (413, then closed);
 *    20 sending garbage bytes (400, then closed);
 * while a well-behaved client sends 40 keep-alive GET / one after another.
 * Checked:
 *   1. every slowloris and silent connection is closed by the server, not
 *      before 0.9 x the deadline and not after the deadline + one sweep of
 *      the server's timer (a quarter of it) + 2 s of slack for a busy
 *      machine; the others get their answer, then EOF (no reset);
 *   2. every answer of the good client is a correct 200, each within 2 s
 *      (a bound on completion on shared machines, not a speed target);
 *   3. the server's VmRSS peaks less than 8 MiB above its level after a
 *      warm-up, and its open fds come back to their level once every
 *      client has gone;
 *   4. SIGTERM makes it exit 0, with a summary counting the 220 deadline
 *      closes and the 40 bad requests.
 * Every loop is bounded; an alarm ends the whole test after 60 s.
 *
 * Run by `make check` from the build directory; EXAMPLES=dir says where
 * http-server is (default ./examples), as for tests/examples-test.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 3000
#define DEADLINE_ARG "3000"           /* the same, for the command line */
#define SWEEP_MS (DEADLINE_MS / 4)    /* the server checks this often */
/* How many times slower than a real CPU this one is: UT_SLOWDOWN (an
 * emulated guest, tests/kernel/run), 1 when unset.  The slack and the
 * bounds below scale with it, never the server's own deadline. */
static int slowdown(void)
{
	const char *s = getenv("UT_SLOWDOWN");
	int v = s ? atoi(s) : 1;

	return v >= 1 && v <= 1000 ? v : 1;
}

#define SLACK_MS (2000 * slowdown()) /* for a loaded, shared machine */
#define CLOSE_LIMIT_MS (DEADLINE_MS + SWEEP_MS + SLACK_MS)
#define TRICKLE_MS 300                /* a slowloris byte this often */
#define WARMUP_REQUESTS 5
#define GOOD_REQUESTS 40
#define GOOD_GAP_MS 100
#define GOOD_BOUND_MS (2000 * slowdown())
#define RSS_BOUND_KIB (8 * 1024)
#define TEST_LIMIT_S 60
#define BODY "Hello from uringloop!\n" /* what GET / answers */

enum kind { SLOW, SILENT, BIG_HEAD, BIG_BODY, GARBAGE, KINDS };

static const struct {
	const char *name;
	int count;
	int status; /* the answer due before the close; 0: none */
} kinds[KINDS] = {
	[SLOW] = {"slowloris", 200, 0},
	[SILENT] = {"silent", 20, 0},
	[BIG_HEAD] = {"10-KiB-head", 20, 431},
	[BIG_BODY] = {"2-MB-body", 10, 413},
	[GARBAGE] = {"garbage", 20, 400},
};

struct client {
	int fd; /* -1 once the server has closed it */
	enum kind kind;
	const char *out; /* what to send (SLOW: one byte at a time) */
	size_t out_len, sent;
	char in[1024]; /* the start of what came back, NUL-terminated */
	size_t in_len;
	double opened, next_byte, closed; /* ms; closed: after opened */
	bool reset;
};

struct answer {
	int status;
	bool keep_alive;
	size_t body_off, body_len, total;
};

/* The good client, run on a thread while the hostile ones are served. */
struct good {
	int port, requests, gap_ms, done;
	double worst_ms;
	char error[256];
};

struct peaks {
	long rss_kib;
	int fds;
};

static pid_t server = -1;
static int failures;

/* ------------------------------------------------------------- helpers */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Never leave a server behind, whatever ends the test. */
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("http-hostile-test: FAIL - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (server > 0)
		kill(server, SIGKILL);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "http-hostile-test: FAIL - still running "
				  "after the test's time limit\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0) { /* nothing else to do */
	}
	if (server > 0)
		kill(server, SIGKILL);
	_exit(1);
}

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok - " : "FAIL - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

/* ------------------------------------------------------------- the server */

/* One line from fd within ms; its length, or -1. */
static int read_line(int fd, char *buf, size_t size, int ms)
{
	double end = now_ms() + ms;
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = {fd, POLLIN, 0};
		int left = (int)(end - now_ms());

		if (left <= 0 || poll(&p, 1, left) <= 0 ||
		    read(fd, buf + n, 1) != 1)
			break;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return n && buf[n - 1] == '\n' ? (int)n : -1;
}

/* Start http-server on port 0; its port; *out: its stdout. */
static int start_server(int *out)
{
	const char *dir = getenv("EXAMPLES") ? getenv("EXAMPLES") : "./examples";
	char path[4096], line[256];
	const char *colon;
	int p[2];

	snprintf(path, sizeof(path), "%s/http-server", dir);
	if (access(path, X_OK) < 0)
		die("no %s (run from the build directory)", path);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	server = fork();
	if (server < 0)
		die("fork: %s", strerror(errno));
	if (server == 0) {
		dup2(p[1], 1);
		execl(path, path, "--port", "0", "--idle-timeout", DEADLINE_ARG,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	/* 10 s: a sanitizer build starts slowly on a busy machine */
	if (read_line(p[0], line, sizeof(line), 10000 * slowdown()) < 0 ||
	    !strstr(line, "listening on") || !(colon = strrchr(line, ':')))
		die("http-server did not start (said '%s')", line);
	return atoi(colon + 1);
}

static long server_rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)server);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int server_fds(void)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)server);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Closing is asynchronous on the server's side: wait up to ms for its
 * open fds to come down to `want`; returns the last count. */
static int wait_fds(int want, int ms)
{
	int n = server_fds();

	for (int i = 0; n != want && i < ms / 50; i++) {
		sleep_ms(50);
		n = server_fds();
	}
	return n;
}

/* ------------------------------------------------------------- clients */

static int connect_to(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect to port %d: %s", port, strerror(errno));
	/* each slowloris byte goes out on its own, as the attack does */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* 1: a whole answer starts buf[0..n) (NUL-terminated); 0: not yet;
 * -1: not an answer we understand. */
static int parse_answer(const char *buf, size_t n, struct answer *a)
{
	const char *end = memmem(buf, n, "\r\n\r\n", 4), *len;

	if (!end)
		return 0;
	if (sscanf(buf, "HTTP/1.1 %d ", &a->status) != 1)
		return -1;
	len = strcasestr(buf, "\r\nContent-Length:");
	if (!len || len > end)
		return -1;
	a->body_len = strtoul(len + 17, NULL, 10);
	a->keep_alive = memmem(buf, (size_t)(end - buf),
			       "\r\nConnection: keep-alive", 24) != NULL;
	a->body_off = (size_t)(end + 4 - buf);
	a->total = a->body_off + a->body_len;
	return n >= a->total;
}

/* One GET / on fd, answered within GOOD_BOUND_MS: the ms it took, or -1
 * with the reason in err. */
static double get_root(int fd, char *err, size_t errlen)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: good\r\n\r\n";
	double t0 = now_ms();
	char buf[1024];
	struct answer a;
	size_t n = 0;
	int ret = 0;

	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != sizeof(req) - 1)
		return snprintf(err, errlen, "send: %s", strerror(errno)), -1;
	while (ret == 0) {
		struct pollfd p = {fd, POLLIN, 0};
		int left = (int)(t0 + GOOD_BOUND_MS - now_ms());
		ssize_t r;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return snprintf(err, errlen, "no answer within %d ms",
					GOOD_BOUND_MS), -1;
		r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
		if (r <= 0)
			return snprintf(err, errlen, "connection ended: %s",
					r ? strerror(errno) : "EOF"), -1;
		n += (size_t)r;
		buf[n] = '\0';
		ret = parse_answer(buf, n, &a);
	}
	if (ret < 0 || a.status != 200 || !a.keep_alive || a.total != n ||
	    a.body_len != strlen(BODY) || memcmp(buf + a.body_off, BODY,
						  a.body_len) != 0)
		return snprintf(err, errlen, "wrong answer: '%.200s'", buf), -1;
	return now_ms() - t0;
}

/* Keep-alive GET / requests on one connection, g->gap_ms apart. */
static void *good_client(void *arg)
{
	struct good *g = arg;
	int fd = connect_to(g->port);

	for (int i = 0; i < g->requests; i++) {
		double ms = get_root(fd, g->error, sizeof(g->error));

		if (ms < 0)
			break;
		g->done++;
		if (ms > g->worst_ms)
			g->worst_ms = ms;
		sleep_ms(g->gap_ms);
	}
	close(fd);
	return NULL;
}

/* ------------------------------------------------------------- hostile */

static char big_head[11 * 1024];
static const char slow_head[] = "GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
static const char big_body[] = "POST / HTTP/1.1\r\nHost: big\r\n"
			       "Content-Length: 2000000\r\n\r\n";
static const char tls_hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
static const char bad_line[] = "HELLO THERE\r\n\r\n";
static char noise[3][512];

static void make_payloads(void)
{
	unsigned seed = 6; /* fixed: the same bytes every run */
	int n = snprintf(big_head, sizeof(big_head),
			 "GET / HTTP/1.1\r\nHost: big\r\nX-Big: ");

	memset(big_head + n, 'b', sizeof(big_head) - (size_t)n - 5);
	memcpy(big_head + sizeof(big_head) - 5, "\r\n\r\n", 5);
	for (int i = 0; i < 3; i++) {
		for (size_t j = 0; j < sizeof(noise[i]); j++)
			noise[i][j] = (char)rand_r(&seed);
		noise[i][0] = '\x01'; /* a control byte: 400 whatever follows */
	}
}

static void set_payload(struct client *c, int i)
{
	static const char *const garbage[] = {tls_hello, bad_line, noise[0],
					      noise[1], noise[2]};
	static const size_t garbage_len[] = {
		sizeof(tls_hello) - 1, sizeof(bad_line) - 1, sizeof(noise[0]),
		sizeof(noise[1]), sizeof(noise[2])};

	switch (c->kind) {
	case SLOW: /* spread the bytes over the trickle period */
		c->next_byte = c->opened + i * TRICKLE_MS / kinds[SLOW].count;
		break;
	case BIG_HEAD:
		c->out = big_head;
		c->out_len = sizeof(big_head) - 1;
		break;
	case BIG_BODY:
		c->out = big_body;
		c->out_len = sizeof(big_body) - 1;
		break;
	case GARBAGE:
		c->out = garbage[i % 5];
		c->out_len = garbage_len[i % 5];
		break;
	default:
		break;
	}
}

static struct client *open_hostile(int port, int *count)
{
	struct client *cs;
	int n = 0;

	for (int k = 0; k < KINDS; k++)
		n += kinds[k].count;
	cs = calloc((size_t)n, sizeof(*cs));
	if (!cs)
		die("out of memory");
	n = 0;
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < kinds[k].count; i++, n++) {
			struct client *c = &cs[n];

			c->kind = (enum kind)k;
			c->fd = connect_to(port);
			fcntl(c->fd, F_SETFL, O_NONBLOCK);
			c->opened = now_ms();
			set_payload(c, i);
		}
	}
	*count = n;
	return cs;
}

/* The server closed c (EOF or reset): note when. */
static void client_gone(struct client *c, double now, bool reset)
{
	close(c->fd);
	c->fd = -1;
	c->closed = now - c->opened;
	c->reset = reset;
}

static void client_read(struct client *c, double now)
{
	char scratch[4096];

	for (int i = 0; i < 64; i++) { /* bounded; the rest on the next poll */
		size_t room = sizeof(c->in) - 1 - c->in_len;
		ssize_t r = room ? recv(c->fd, c->in + c->in_len, room, 0)
				 : recv(c->fd, scratch, sizeof(scratch), 0);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			client_gone(c, now, r < 0);
			return;
		}
		if (room) {
			c->in_len += (size_t)r;
			c->in[c->in_len] = '\0';
		}
	}
}

static void client_send(struct client *c, double now)
{
	ssize_t r = 0;

	if (c->kind == SLOW) {
		char byte = c->sent < sizeof(slow_head) - 1 ? slow_head[c->sent]
							    : 'a';

		if (now < c->next_byte)
			return;
		c->next_byte = now + TRICKLE_MS;
		r = send(c->fd, &byte, 1, MSG_NOSIGNAL);
		c->sent += r == 1;
	} else if (c->sent < c->out_len) {
		r = send(c->fd, c->out + c->sent, c->out_len - c->sent,
			 MSG_NOSIGNAL);
		c->sent += r > 0 ? (size_t)r : 0;
	}
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		client_gone(c, now, true); /* EPIPE, ECONNRESET: closed */
}

/* Serve the hostile clients until the server has closed them all (or the
 * limit has passed), sampling its RSS and fds every 100 ms. */
static void drive(struct client *cs, int n, struct peaks *pk)
{
	struct pollfd *pf = calloc((size_t)n, sizeof(*pf));
	int *idx = calloc((size_t)n, sizeof(*idx));
	double now = now_ms(), stop = now + CLOSE_LIMIT_MS + 1000;
	double sample = now;

	if (!pf || !idx)
		die("out of memory");
	while (now < stop) {
		double wake = now + 50;
		int m = 0;

		for (int i = 0; i < n; i++) {
			if (cs[i].fd < 0)
				continue;
			if (cs[i].kind == SLOW && cs[i].next_byte < wake)
				wake = cs[i].next_byte;
			pf[m].fd = cs[i].fd;
			pf[m].events = POLLIN;
			if (cs[i].kind != SLOW && cs[i].sent < cs[i].out_len)
				pf[m].events |= POLLOUT;
			idx[m++] = i;
		}
		if (!m)
			break;
		poll(pf, (nfds_t)m, wake > now ? (int)(wake - now) + 1 : 0);
		now = now_ms();
		for (int j = 0; j < m; j++) {
			struct client *c = &cs[idx[j]];

			if (pf[j].revents & (POLLIN | POLLHUP | POLLERR))
				client_read(c, now);
			if (c->fd >= 0)
				client_send(c, now);
		}
		if (now >= sample) {
			long rss = server_rss_kib();
			int fds = server_fds();

			pk->rss_kib = rss > pk->rss_kib ? rss : pk->rss_kib;
			pk->fds = fds > pk->fds ? fds : pk->fds;
			sample = now + 100;
		}
	}
	free(pf);
	free(idx);
}

/* Did the server close every client of kind k as it should? */
static void check_kind(const struct client *cs, int n, enum kind k)
{
	int open = 0, early = 0, late = 0, wrong = 0, resets = 0;
	double lo = 0, hi = 0;
	char what[64];

	for (int i = 0; i < n; i++) {
		const struct client *c = &cs[i];
		struct answer a;

		if (c->kind != k)
			continue;
		if (c->fd >= 0) {
			open++;
			continue;
		}
		lo = c->closed < lo || lo == 0 ? c->closed : lo;
		hi = c->closed > hi ? c->closed : hi;
		late += c->closed > CLOSE_LIMIT_MS;
		resets += c->reset;
		if (!kinds[k].status) /* closed at the deadline, not before */
			early += c->closed < 0.9 * DEADLINE_MS;
		else if (parse_answer(c->in, c->in_len, &a) != 1 ||
			 a.status != kinds[k].status || a.keep_alive ||
			 a.total != c->in_len || c->reset)
			wrong++;
	}
	if (kinds[k].status)
		snprintf(what, sizeof(what), "%d then EOF", kinds[k].status);
	else if (k == SLOW)
		snprintf(what, sizeof(what), "closed by the server (a byte "
			 "every %d ms all along)", TRICKLE_MS);
	else
		snprintf(what, sizeof(what), "closed by the server (sent "
			 "nothing)");
	check(!open && !early && !late && !wrong,
	      "%d %s clients: %s after %.2f-%.2f s (deadline %.1f s, limit "
	      "%.2f s); %d left open, %d early, %d late, %d wrong, %d resets",
	      kinds[k].count, kinds[k].name, what, lo / 1e3, hi / 1e3,
	      DEADLINE_MS / 1e3, CLOSE_LIMIT_MS / 1e3, open, early, late,
	      wrong, resets);
}

static void close_all(struct client *cs, int n)
{
	for (int i = 0; i < n; i++)
		if (cs[i].fd >= 0)
			close(cs[i].fd);
}

/* ------------------------------------------------------------- phases */

/* A few requests, so the server has allocated what serving takes (its
 * buffer pool, first of all).  Its fds should come back to where they
 * were; what they come back to is the baseline (a loop may open an fd of
 * its own lazily: that is not a connection's). */
static void warm_up(int port, int *fds0, long *rss0)
{
	struct good g = {.port = port, .requests = WARMUP_REQUESTS};
	int before = server_fds();

	good_client(&g);
	if (g.done != WARMUP_REQUESTS)
		die("warm-up: %s", g.error);
	*fds0 = wait_fds(before, 5000);
	*rss0 = server_rss_kib();
	printf("http-hostile-test: warm-up: %d requests; server fds %d -> "
	       "%d, VmRSS %ld KiB\n", WARMUP_REQUESTS, before, *fds0, *rss0);
}

static void hostile_phase(int port, int fds0, long rss0)
{
	struct good g = {.port = port, .requests = GOOD_REQUESTS,
			 .gap_ms = GOOD_GAP_MS};
	struct peaks pk = {rss0, fds0};
	struct client *cs;
	pthread_t t;
	int n, fds;

	cs = open_hostile(port, &n);
	if (pthread_create(&t, NULL, good_client, &g) != 0)
		die("pthread_create");
	drive(cs, n, &pk);
	pthread_join(t, NULL);
	for (int k = 0; k < KINDS; k++)
		check_kind(cs, n, (enum kind)k);
	check(g.done == GOOD_REQUESTS,
	      "good client meanwhile: %d of %d keep-alive GET / answered "
	      "200 correctly, slowest %.0f ms (bound %d ms)%s%s", g.done,
	      GOOD_REQUESTS, g.worst_ms, GOOD_BOUND_MS, g.error[0] ? ": " : "",
	      g.error);
	close_all(cs, n);
	free(cs);
	check(pk.rss_kib - rss0 < RSS_BOUND_KIB,
	      "server VmRSS %ld KiB after warm-up, peak %ld KiB with %d "
	      "hostile clients: +%ld KiB (bound %d KiB)", rss0, pk.rss_kib, n,
	      pk.rss_kib - rss0, RSS_BOUND_KIB);
	fds = wait_fds(fds0, 5000);
	check(fds == fds0, "server fds: %d before, peak %d, %d once all "
	      "clients have gone", fds0, pk.fds, fds);
}

/* SIGTERM: exit 0 within 10 s, with a summary that adds up: every
 * slowloris and silent client closed by the deadline, every 400 and 431
 * counted as bad, every request served (413s included) counted. */
static void stop_server(int out)
{
	unsigned long long got[4], want[4] = {
		WARMUP_REQUESTS + GOOD_REQUESTS + kinds[BIG_BODY].count,
		2, /* the warm-up and the good client */
		kinds[BIG_HEAD].count + kinds[GARBAGE].count,
		kinds[SLOW].count + kinds[SILENT].count,
	};
	int status = -1, i;
	char line[256] = "";

	for (int k = 0; k < KINDS; k++)
		want[1] += (unsigned)kinds[k].count;
	kill(server, SIGTERM);
	for (i = 0; i < 200 && waitpid(server, &status, WNOHANG) == 0; i++)
		sleep_ms(50);
	if (i == 200)
		die("http-server still running 10 s after SIGTERM");
	server = -1;
	read_line(out, line, sizeof(line), 1000);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "http-server exits 0 on SIGTERM: %.*s", (int)strcspn(line, "\n"),
	      line);
	check(sscanf(line, "http-server: served %llu requests on %llu "
		     "connections (%llu bad requests, %llu closed idle)",
		     &got[0], &got[1], &got[2], &got[3]) == 4 &&
	      !memcmp(got, want, sizeof(got)),
	      "its summary: want %llu requests, %llu connections, %llu bad, "
	      "%llu closed idle", want[0], want[1], want[2], want[3]);
}

int main(void)
{
	long rss0;
	int out, port, fds0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(TEST_LIMIT_S);
	make_payloads();
	port = start_server(&out);
	printf("http-hostile-test: http-server pid %d on 127.0.0.1:%d, "
	       "--idle-timeout %d\n", (int)server, port, DEADLINE_MS);
	warm_up(port, &fds0, &rss0);
	hostile_phase(port, fds0, rss0);
	stop_server(out);
	printf("http-hostile-test: %s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
