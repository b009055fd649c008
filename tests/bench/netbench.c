/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/netbench.c - main() of the networking benchmarks, shared by
 * net_uringloop, net_libuv and net_epoll (see netbench.h for the layout).
 *
 *   net_<impl> --bench NAME [--quick] [--duration S] [--cpu N]
 *              [--client wrk|own] [--read-buf SIZE[xCOUNT]]
 *              [--wait-batch N:USEC] [--spin USEC]
 *
 * NAME is one of ping_pongs pump write_batch pound idle_conns http
 * syscalls (BENCHMARKS.md has the shapes and the metric keys).  --client
 * picks the http load (default: wrk if installed, else netclient.c's own);
 * --read-buf sets uringloop's read-buffer pool (the others ignore it; for
 * profiling, the benchmark uses the loop's defaults), --wait-batch the
 * loop's batched waits (wait_batch, wait_batch_usec; uringloop only, off
 * by default, as in the loop), --spin its busy-poll before each wait
 * (spin_usec; uringloop only, off by default).  The server
 * runs in a child pinned to --cpu (default: the last allowed CPU), the
 * client in this process pinned to another CPU.  Every rate is the change
 * of a server counter between two marks divided by the server's clock
 * between them; the client's own count is checked against it where the
 * two must agree.
 *
 * Syscalls are counted (bench syscalls only) with a perf counter on the
 * raw_syscalls:sys_enter tracepoint, opened by the server process on
 * itself: the kernel counts every system call entry of the server, with
 * no ptrace stop (strace -c slows the server by an order of magnitude and
 * so changes how work batches).  The counter is opened only for that
 * bench, because an enabled syscall tracepoint slows every syscall a
 * little and would tax the syscall-heavy impls in the other benches.
 * Needs root or kernel.perf_event_paranoid <= 1 and tracefs (tests/bench/run
 * mounts it when run as root).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "benchctl.h"
#include "netbench.h"

#define BACKLOG 4096
#define CTL_TIMEOUT_S 10.0
#define IDLE_CONNS 10000
#define IDLE_BATCH 500
#define HTTP_CONNS 1000

struct net_stats net_stats;

static struct bench_opts opts;
static const char *bench_name;
static const char *client_kind;   /* --client wrk|own (http) */
static const char *read_buf_arg;  /* --read-buf SIZE[xCOUNT] */
static unsigned read_buf_size, read_buf_count;
static const char *wait_batch_arg; /* --wait-batch N:USEC */
static unsigned wait_batch, wait_batch_usec;
static const char *spin_arg;      /* --spin USEC */
static unsigned spin_usec;
/* The name results carry: net_impl, or "uringloop_batch" with batched
 * waits, "uringloop_spin" with busy-polling, so the driver keeps the
 * configurations apart. */
static const char *impl_name;
static int scpu, ccpu;            /* server's and client's CPUs */

/* ------------------------------------------------------ server process */

static int ctl_rd = -1, rep_wr = -1, perf_fd = -1;
static enum net_mode server_mode;

void net_ready(int port)
{
	bench_write_all(rep_wr, &port, sizeof(port), "server: ready");
}

static uint64_t read_rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2)
		bench_die("server: /proc/self/statm: %s", strerror(errno));
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

bool net_control(void)
{
	struct net_report r;
	char cmd;
	ssize_t n = read(ctl_rd, &cmd, 1);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0 || cmd == 'Q') /* EOF: the parent is gone */
		return true;
	memset(&r, 0, sizeof(r));
	r.s = net_stats;
	r.t = bench_now();
	r.cpu = bench_cpu_seconds();
	if (server_mode == NET_IDLE)
		r.rss = read_rss();
	if (perf_fd >= 0 && read(perf_fd, &r.syscalls, sizeof(r.syscalls)) !=
				    sizeof(r.syscalls))
		bench_die("server: reading the syscall counter: %s",
			  strerror(errno));
	bench_write_all(rep_wr, &r, sizeof(r), "server: report");
	return false;
}

/* A counter of the system calls this process (and threads it starts)
 * makes: the raw_syscalls:sys_enter tracepoint, counted by the kernel. */
static int open_syscall_counter(void)
{
	static const char *const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr a;
	unsigned long long id = 0;
	int fd;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]) && !id; i++) {
		FILE *f = fopen(ids[i], "r");

		if (f) {
			if (fscanf(f, "%llu", &id) != 1)
				id = 0;
			fclose(f);
		}
	}
	if (!id)
		bench_die("server: no raw_syscalls:sys_enter tracepoint id: "
			  "tracefs is not mounted (as root: mount -t tracefs "
			  "tracefs /sys/kernel/tracing; tests/bench/run does)");
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = id;
	a.inherit = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		bench_die("server: perf_event_open(raw_syscalls:sys_enter): %s "
			  "(needs root or kernel.perf_event_paranoid <= 1)",
			  strerror(errno));
	return fd;
}

/* ------------------------------------------------------ parent's side */

struct server {
	pid_t pid;
	int ctl_wr, rep_rd;
	int port;
};

static void server_start(struct server *s, const struct net_config *proto,
			 bool count_syscalls)
{
	int ctl[2], rep[2];

	if (pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
		bench_die("pipe2: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	s->pid = fork();
	if (s->pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (s->pid == 0) {
		struct net_config cfg = *proto;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ctl[1]);
		close(rep[0]);
		ctl_rd = ctl[0];
		rep_wr = rep[1];
		bench_pin(scpu);
		server_mode = cfg.mode;
		cfg.ctl_fd = ctl_rd;
		if (count_syscalls)
			perf_fd = open_syscall_counter();
		_exit(net_serve(&cfg) ? 1 : 0);
	}
	close(ctl[0]);
	close(rep[1]);
	s->ctl_wr = ctl[1];
	s->rep_rd = rep[0];
	bench_read_timeout(s->rep_rd, &s->port, sizeof(s->port), CTL_TIMEOUT_S,
			   "start");
}

static void server_mark(struct server *s, struct net_report *r)
{
	bench_write_all(s->ctl_wr, "M", 1, "mark");
	bench_read_timeout(s->rep_rd, r, sizeof(*r), CTL_TIMEOUT_S, "mark");
}

static void server_stop(struct server *s)
{
	bench_stop_child(s->pid, s->ctl_wr, s->rep_rd, CTL_TIMEOUT_S);
}

/* Mark until the server's counters satisfy `done`, for at most 10 s. */
static void server_wait(struct server *s, struct net_report *r,
			bool (*done)(const struct net_report *r, uint64_t arg),
			uint64_t arg, const char *what)
{
	double deadline = bench_now() + CTL_TIMEOUT_S;

	for (;;) {
		server_mark(s, r);
		if (done(r, arg))
			return;
		if (bench_now() > deadline)
			bench_die("%s: not reached in %.0f s (accepts %llu, "
				  "open %llu)", what, CTL_TIMEOUT_S,
				  (unsigned long long)r->s.accepts,
				  (unsigned long long)r->s.conns);
		usleep(1000);
	}
}

static struct net_config config(enum net_mode mode, bool nodelay)
{
	struct net_config c = {
		.mode = mode,
		.nodelay = nodelay,
		.backlog = BACKLOG,
		.read_buf_size = read_buf_size,
		.read_buf_count = read_buf_count,
		.wait_batch = wait_batch,
		.wait_batch_usec = wait_batch_usec,
		.spin_usec = spin_usec,
		.ctl_fd = -1,
	};
	return c;
}

#define D(a, b, field) ((double)((b)->s.field - (a)->s.field))

/* What happened in the server between two marks, on stderr. */
static void window_note(const char *what, const struct net_report *a,
			const struct net_report *b, double units,
			const char *unit)
{
	double dt = b->t - a->t;

	fprintf(stderr, "%s %s: %s: %.0f %s in %.3f s, server cpu %.1f us/%s",
		bench_name, impl_name, what, units, unit, dt,
		units > 0 ? (b->cpu - a->cpu) * 1e6 / units : 0.0, unit);
	if (b->s.loop_enters)
		fprintf(stderr, ", per %s: %.3f enters, %.3f iterations, "
			"%.2f SQEs, %.2f CQEs", unit,
			units > 0 ? D(a, b, loop_enters) / units : 0.0,
			units > 0 ? D(a, b, loop_iterations) / units : 0.0,
			units > 0 ? D(a, b, loop_sqes) / units : 0.0,
			units > 0 ? D(a, b, loop_cqes) / units : 0.0);
	if (b->syscalls)
		fprintf(stderr, ", %.3f syscalls/%s", units > 0 ?
			(double)(b->syscalls - a->syscalls) / units : 0.0,
			unit);
	if (b->s.errors - a->s.errors)
		fprintf(stderr, ", %llu server errors",
			(unsigned long long)(b->s.errors - a->s.errors));
	fputc('\n', stderr);
}

static double pick(double full, double quick)
{
	if (opts.duration > 0)
		return opts.duration;
	return opts.quick ? quick : full;
}

/* -------------------------------------------------------------- benches */

/* ping_pongs: one connection, one 5-byte PING in flight.  Fills *a, *b. */
static double ping_window(bool count_syscalls, double secs,
			  struct net_report *a, struct net_report *b)
{
	struct net_config cfg = config(NET_ECHO, true);
	struct server s;
	struct nc_ping *p;
	uint64_t client_rt;
	double rt;

	server_start(&s, &cfg, count_syscalls);
	p = nc_ping_open(s.port);
	nc_ping_run(p, opts.quick ? 0.05 : 0.2);
	server_mark(&s, a);
	client_rt = nc_ping_run(p, secs);
	server_mark(&s, b);
	nc_ping_close(p);
	server_stop(&s);
	rt = D(a, b, bytes_in) / 5.0;
	/* the window closes between a ping's echo and the next ping */
	if (fabs(rt - (double)client_rt) > 1.0 || client_rt == 0)
		bench_die("ping: the server echoed %.1f pings, the client "
			  "counted %llu", rt, (unsigned long long)client_rt);
	window_note("ping", a, b, rt, "roundtrip");
	return rt;
}

static void bench_ping_pongs(void)
{
	struct net_report a, b;
	double rt = ping_window(false, pick(5.0, 0.2), &a, &b);

	bench_result(bench_name, impl_name, "roundtrips_per_s", rt / (b.t - a.t),
		     "higher");
}

static void bench_pump(void)
{
	static const unsigned sizes[] = { 1, 100 };

	for (size_t i = 0; i < 2; i++) {
		struct net_config cfg = config(NET_DISCARD, false);
		struct net_report a, b;
		struct nc_multi *m;
		struct server s;
		char metric[32], what[32];
		double bytes;

		server_start(&s, &cfg, false);
		m = nc_multi_open(NC_PUMP, s.port, sizes[i]);
		nc_multi_run(m, opts.quick ? 0.05 : 0.2);
		server_mark(&s, &a);
		nc_multi_run(m, pick(5.0, 0.2));
		server_mark(&s, &b);
		nc_multi_close(m);
		server_stop(&s);
		bytes = D(&a, &b, bytes_in);
		if (bytes <= 0)
			bench_die("pump: the server read nothing");
		snprintf(what, sizeof(what), "pump %u", sizes[i]);
		window_note(what, &a, &b, bytes / 65536.0, "64KiB");
		snprintf(metric, sizeof(metric), "gbit_per_s_%u", sizes[i]);
		bench_result(bench_name, impl_name, metric,
			     bytes * 8.0 / (b.t - a.t) / 1e9, "higher");
	}
}

static bool wb_done(const struct net_report *r, uint64_t count)
{
	return r->s.writes_done == count && r->s.wb_seconds > 0;
}

static void bench_write_batch(void)
{
	unsigned long count = opts.quick ? 200000UL : 1000000UL;
	struct net_config cfg = config(NET_WBATCH, false);
	struct net_report r, r0;
	struct server s;
	uint64_t got;
	int fd;

	cfg.wb_count = count;
	server_start(&s, &cfg, false);
	server_mark(&s, &r0);
	fd = nc_sink_open(s.port);
	got = nc_sink_run(fd, 60.0);
	close(fd);
	if (got != (uint64_t)count * NET_WB_LEN)
		bench_die("write_batch: the client read %llu bytes, not %llu",
			  (unsigned long long)got,
			  (unsigned long long)count * NET_WB_LEN);
	server_wait(&s, &r, wb_done, count, "write_batch: all writes done");
	server_stop(&s);
	fprintf(stderr, "%s %s: %lu writes of %d bytes in %.3f s, server cpu "
		"%.3f s\n", bench_name, impl_name, count, NET_WB_LEN,
		r.s.wb_seconds, r.cpu - r0.cpu);
	bench_result(bench_name, impl_name, "seconds", r.s.wb_seconds, "lower");
}

static void bench_pound(void)
{
	static const unsigned sizes[] = { 100, 1000 };

	for (size_t i = 0; i < 2; i++) {
		struct net_config cfg = config(NET_POUND, false);
		struct net_report a, b;
		struct nc_multi *m;
		struct server s;
		char metric[32], what[32];
		uint64_t cycles, errors;
		double accepts;

		server_start(&s, &cfg, false);
		m = nc_multi_open(NC_POUND, s.port, sizes[i]);
		nc_multi_run(m, opts.quick ? 0.1 : 0.5);
		server_mark(&s, &a);
		errors = nc_multi_errors(m);
		cycles = nc_multi_run(m, pick(10.0, 0.2));
		server_mark(&s, &b);
		errors = nc_multi_errors(m) - errors;
		nc_multi_close(m);
		server_stop(&s);
		accepts = D(&a, &b, accepts);
		if (accepts <= 0 || cycles == 0)
			bench_die("pound: no connection completed");
		snprintf(what, sizeof(what), "pound %u", sizes[i]);
		window_note(what, &a, &b, accepts, "accept");
		fprintf(stderr, "%s %s: pound %u: client: %llu cycles, %llu "
			"errors\n", bench_name, impl_name, sizes[i],
			(unsigned long long)cycles, (unsigned long long)errors);
		snprintf(metric, sizeof(metric), "accepts_per_s_%u", sizes[i]);
		bench_result(bench_name, impl_name, metric,
			     accepts / (b.t - a.t), "higher");
	}
}

/* The kernel's slab memory (bytes), for a rough note on what idle
 * connections cost outside the server's RSS. */
static double read_slab(void)
{
	char line[128];
	double kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lf kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024.0;
}

static bool idle_reached(const struct net_report *r, uint64_t accepts)
{
	return r->s.accepts >= accepts;
}

static bool idle_settled(const struct net_report *r, uint64_t accepts)
{
	return r->s.accepts == accepts && r->s.conns == accepts - 1;
}

/* idle_conns: RSS growth of the server per idle, read-started connection.
 * One warm-up connection (connect, one byte, close) first, so memory every
 * server makes once on its first connection (uringloop's buffer pool,
 * libuv's watcher array) is in the baseline. */
static void bench_idle_conns(void)
{
	struct net_config cfg = config(NET_IDLE, false);
	struct net_report r0, a, b;
	struct server s;
	static int fds[IDLE_CONNS];
	double slab0, slab1;
	int fd;

	server_start(&s, &cfg, false);
	server_mark(&s, &r0);
	fd = nc_connect(s.port, false);
	if (fd < 0 || write(fd, "x", 1) != 1)
		bench_die("idle: warm-up connection failed");
	close(fd);
	server_wait(&s, &a, idle_settled, 1, "idle: warm-up connection closed");
	usleep(20000);
	server_mark(&s, &a);
	slab0 = read_slab();
	for (int i = 0; i < IDLE_CONNS; i++) {
		fds[i] = nc_connect(s.port, false);
		if (fds[i] < 0)
			bench_die("idle: connect #%d: %s (RLIMIT_NOFILE?)", i,
				  strerror(-fds[i]));
		/* stay under the accept backlog */
		if ((i + 1) % IDLE_BATCH == 0)
			server_wait(&s, &b, idle_reached, (uint64_t)i + 2,
				    "idle: accepts");
	}
	server_wait(&s, &b, idle_reached, IDLE_CONNS + 1, "idle: accepts");
	usleep(100000); /* reads armed, nothing pending */
	server_mark(&s, &b);
	slab1 = read_slab();
	if (b.s.conns != IDLE_CONNS)
		bench_die("idle: the server holds %llu connections, not %d",
			  (unsigned long long)b.s.conns, IDLE_CONNS);
	for (int i = 0; i < IDLE_CONNS; i++)
		close(fds[i]);
	server_stop(&s);
	fprintf(stderr, "%s %s: RSS %.1f MiB at start, %.1f MiB after the "
		"warm-up connection, %.1f MiB with %d connections\n",
		bench_name, impl_name, (double)r0.rss / 1048576.0,
		(double)a.rss / 1048576.0, (double)b.rss / 1048576.0,
		IDLE_CONNS);
	fprintf(stderr, "%s %s: kernel slab %+.0f bytes per connection "
		"(system-wide, both ends of each connection; rough)\n",
		bench_name, impl_name, (slab1 - slab0) / IDLE_CONNS);
	bench_result(bench_name, impl_name, "rss_bytes_per_conn",
		     ((double)b.rss - (double)a.rss) / IDLE_CONNS, "lower");
}

static bool have_wrk(void)
{
	if (client_kind)
		return !strcmp(client_kind, "wrk");
	return access("/usr/bin/wrk", X_OK) == 0 ||
	       access("/usr/local/bin/wrk", X_OK) == 0;
}

/* wrk pinned to the client CPU, for `secs` whole seconds; output to
 * stderr only if it fails. */
static pid_t wrk_start(int port, int secs, int *out_fd)
{
	char conns[16], dur[16], threads[] = "1", url[64];
	int out[2];
	pid_t pid;

	snprintf(conns, sizeof(conns), "%d", HTTP_CONNS);
	snprintf(dur, sizeof(dur), "%ds", secs);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	if (pipe2(out, O_CLOEXEC))
		bench_die("pipe2: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		dup2(out[1], 2);
		bench_pin(ccpu);
		execlp("wrk", "wrk", "-t", threads, "-c", conns, "-d", dur,
		       "--timeout", "10s", url, (char *)NULL);
		fprintf(stderr, "exec wrk: %s\n", strerror(errno));
		_exit(127);
	}
	close(out[1]);
	*out_fd = out[0];
	return pid;
}

static void wrk_wait(pid_t pid, int out_fd, int secs)
{
	static char buf[8192];
	size_t len = 0;
	ssize_t n;
	int status;

	/* wrk prints at its end; a read that blocks past its run means a
	 * hung wrk, which PDEATHSIG ends when we die */
	struct pollfd pfd = { .fd = out_fd, .events = POLLIN };
	double deadline = bench_now() + secs + CTL_TIMEOUT_S;

	for (;;) {
		int ms = (int)((deadline - bench_now()) * 1000.0);

		if (ms <= 0 || poll(&pfd, 1, ms) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			bench_die("http: wrk did not finish");
		}
		n = read(out_fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			len = 0; /* keep reading: it is only for errors */
	}
	buf[len] = 0;
	close(out_fd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		bench_die("http: wrk failed:\n%s", buf);
}

/* http: 1000 keep-alive connections; a window of `secs` after warm-up. */
static double http_window(bool count_syscalls, double secs,
			  struct net_report *a, struct net_report *b)
{
	struct net_config cfg = config(NET_HTTP, true);
	double warm = opts.quick ? 0.3 : 1.0, reqs;
	struct server s;

	server_start(&s, &cfg, count_syscalls);
	if (have_wrk()) {
		int total = (int)ceil(warm + secs + 0.3), out;
		pid_t pid = wrk_start(s.port, total, &out);

		usleep((useconds_t)(warm * 1e6));
		server_mark(&s, a);
		usleep((useconds_t)(secs * 1e6));
		server_mark(&s, b);
		wrk_wait(pid, out, total);
	} else {
		struct nc_multi *m = nc_multi_open(NC_HTTP, s.port, HTTP_CONNS);

		nc_multi_run(m, warm);
		server_mark(&s, a);
		nc_multi_run(m, secs);
		server_mark(&s, b);
		nc_multi_close(m);
	}
	server_stop(&s);
	reqs = D(a, b, requests);
	if (reqs <= 0)
		bench_die("http: the server answered no request");
	window_note(have_wrk() ? "http (wrk)" : "http (own client)", a, b, reqs,
		    "request");
	return reqs;
}

static void bench_http(void)
{
	struct net_report a, b;
	double reqs = http_window(false, pick(3.0, 0.3), &a, &b);

	bench_result(bench_name, impl_name, "requests_per_s", reqs / (b.t - a.t),
		     "higher");
	bench_result(bench_name, impl_name, "server_cpu_us_per_request",
		     (b.cpu - a.cpu) * 1e6 / reqs, "lower");
}

static void bench_syscalls(void)
{
	struct net_report a, b;
	double n;

	n = http_window(true, pick(1.5, 0.2), &a, &b);
	bench_result(bench_name, impl_name, "per_request_http",
		     (double)(b.syscalls - a.syscalls) / n, "lower");
	n = ping_window(true, pick(1.5, 0.2), &a, &b);
	bench_result(bench_name, impl_name, "per_request_ping",
		     (double)(b.syscalls - a.syscalls) / n, "lower");
}

/* ----------------------------------------------------------------- main */

static const struct {
	const char *name;
	void (*run)(void);
} benches[] = {
	{ "ping_pongs", bench_ping_pongs }, { "pump", bench_pump },
	{ "write_batch", bench_write_batch }, { "pound", bench_pound },
	{ "idle_conns", bench_idle_conns }, { "http", bench_http },
	{ "syscalls", bench_syscalls },
};

static const char **next_arg;

static bool parse_extra(const char *arg)
{
	if (next_arg) {
		*next_arg = arg;
		next_arg = NULL;
		return true;
	}
	if (!strcmp(arg, "--bench"))
		next_arg = &bench_name;
	else if (!strcmp(arg, "--client"))
		next_arg = &client_kind;
	else if (!strcmp(arg, "--read-buf"))
		next_arg = &read_buf_arg;
	else if (!strcmp(arg, "--wait-batch"))
		next_arg = &wait_batch_arg;
	else if (!strcmp(arg, "--spin"))
		next_arg = &spin_arg;
	else
		return false;
	return true;
}

/* Room for 10,000 connections and their peers: raise the soft limit to
 * the hard one (and, as root, both to 65536 if the hard one is lower). */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		bench_die("getrlimit: %s", strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 65536) {
		struct rlimit more = { 65536, 65536 };

		if (!setrlimit(RLIMIT_NOFILE, &more))
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		bench_die("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *usage = " --bench NAME [--client wrk|own] [--read-buf SIZE[xCOUNT]]"
			    " [--wait-batch N:USEC]"
			    "\n  NAME: ping_pongs pump write_batch pound "
			    "idle_conns http syscalls";
	cpu_set_t allowed;

	bench_parse(argc, argv, &opts, parse_extra, usage);
	if (next_arg)
		bench_die("%s needs a value", argv[argc - 1]);
	if (read_buf_arg) {
		char *end;

		read_buf_size = (unsigned)strtoul(read_buf_arg, &end, 0);
		if (*end == 'x')
			read_buf_count = (unsigned)strtoul(end + 1, &end, 0);
		if (*end)
			bench_die("--read-buf takes SIZE or SIZExCOUNT");
	}
	if (wait_batch_arg &&
	    sscanf(wait_batch_arg, "%u:%u", &wait_batch, &wait_batch_usec) != 2)
		bench_die("--wait-batch takes N:USEC");
	if (spin_arg)
		spin_usec = (unsigned)strtoul(spin_arg, NULL, 0);
	impl_name = wait_batch_arg ? "uringloop_batch"
		    : spin_arg     ? "uringloop_spin"
				   : net_impl;
	if ((wait_batch_arg || spin_arg) && strcmp(net_impl, "uringloop"))
		bench_die("--wait-batch and --spin are for net_uringloop only");
	if (!bench_name)
		bench_die("--bench NAME is required (%s --help)", argv[0]);
	if (client_kind && strcmp(client_kind, "wrk") && strcmp(client_kind, "own"))
		bench_die("--client takes wrk or own");
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	bench_allowed(&allowed);
	scpu = opts.cpu;
	if (scpu < 0)
		for (int i = CPU_SETSIZE - 1; i >= 0 && scpu < 0; i--)
			if (CPU_ISSET(i, &allowed))
				scpu = i;
	ccpu = bench_other_cpu(&allowed, scpu);
	if (ccpu == scpu)
		fprintf(stderr, "%s: only one CPU: server and client share "
			"CPU %d\n", argv[0], scpu);
	bench_pin(ccpu);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		if (!strcmp(bench_name, benches[i].name)) {
			benches[i].run();
			return 0;
		}
	}
	bench_die("unknown bench %s", bench_name);
}
