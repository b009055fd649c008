/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/stress.c - the stress and soak driver: picks scenarios, runs
 * each under a watchdog, prints one line of figures per scenario and
 * exits non-zero if any failed.  What each scenario checks: README.md.
 *
 *   stress [--quick | --soak SECONDS] [--seed N] [-v] [SCENARIO...]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

struct st_opts st_opts = {.mode = ST_FULL, .seed = 1};

#define MAX_PRINTED_FAILURES 8

void st_fail(struct st_result *r, const char *fmt, ...)
{
	va_list ap;

	unsigned max = st_opts.verbose ? 1000 : MAX_PRINTED_FAILURES;

	if (r->failures++ >= max) {
		if (r->failures == max + 1)
			fprintf(stderr, "  %s: (further failures not shown)\n",
				r->name);
		return;
	}
	fprintf(stderr, "  %s: ", r->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void st_extra(struct st_result *r, const char *fmt, ...)
{
	size_t len = strlen(r->extra);
	va_list ap;

	if (len + 2 >= sizeof(r->extra))
		return;
	r->extra[len++] = ' ';
	r->extra[len] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->extra + len, sizeof(r->extra) - len, fmt, ap);
	va_end(ap);
}

uint64_t st_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int st_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

long st_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* One stream of randomness per scenario, all from --seed. */
uint32_t st_seed(const char *scenario)
{
	uint32_t h = 2166136261u ^ st_opts.seed;

	while (*scenario)
		h = (h ^ (unsigned char)*scenario++) * 16777619u;
	return h ? h : 1;
}

struct sockaddr_in st_loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int st_set_rst(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) ? -errno
								       : 0;
}

/* STRESS_SPIN_USEC=N runs every scenario's loop with the spin_usec option:
 * a busy-polling loop skips waits, which changes how work batches. */
bool st_loop_init(struct uring_loop *loop, const struct uring_loop_options *o,
		  struct st_result *r)
{
	struct uring_loop_options with_spin = {0};
	const char *spin = getenv("STRESS_SPIN_USEC");
	int ret;

	if (spin && *spin) {
		if (o)
			with_spin = *o;
		with_spin.spin_usec = (unsigned)strtoul(spin, NULL, 0);
		o = &with_spin;
	}
	ret = uring_loop_init(loop, o);

	if (ret)
		st_fail(r, "uring_loop_init: %s", uring_strerror(ret));
	return ret == 0;
}

/* ------------------------------------------------------------- running */

struct until {
	struct uring_hook check;
	struct uring_timer timer;
	bool (*done)(void *);
	void *arg;
	bool met;
};

static void until_check(struct uring_hook *h)
{
	struct until *u = h->handle.data;

	if (u->done(u->arg)) {
		u->met = true;
		uring_loop_stop(h->handle.loop);
	}
}

static void until_timeout(struct uring_timer *t)
{
	uring_loop_stop(t->handle.loop);
}

/* UT_SLOWDOWN (tests/test-util.h): how many times slower than a real CPU
 * this one is (an emulated guest); every time bound multiplies by it. */
unsigned st_slowdown(void)
{
	const char *s = getenv("UT_SLOWDOWN");
	unsigned long v = s ? strtoul(s, NULL, 10) : 0;

	return v >= 1 && v <= 1000 ? (unsigned)v : 1;
}

bool st_run_until(struct uring_loop *loop, bool (*done)(void *), void *arg,
		  unsigned ms)
{
	struct until u;

	memset(&u, 0, sizeof(u));
	u.done = done;
	u.arg = arg;
	if (done(arg))
		return true;
	/* A prepare hook sees the state before every wait (after the last
	 * iteration's completions and close callbacks, and this one's timers);
	 * the timer bounds the wait. */
	if (uring_prepare_init(loop, &u.check) ||
	    uring_timer_init(loop, &u.timer))
		return false;
	u.check.handle.data = &u;
	uring_prepare_start(&u.check, until_check);
	uring_timer_start(&u.timer, until_timeout, ms * st_slowdown(), 0);
	uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&u.check.handle, NULL);
	uring_close(&u.timer.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT);
	return u.met || done(arg);
}

static void name_open(struct uring_handle *h, void *arg)
{
	struct st_result *r = arg;

	st_fail(r, "left open at loop close: a %s handle%s%s (%p)",
		uring_handle_type_name(uring_handle_get_type(h)),
		uring_is_closing(h) ? ", closing" : "",
		uring_is_active(h) ? ", active" : "", (void *)h);
}

void st_close_loop(struct uring_loop *loop, struct st_result *r, unsigned ms)
{
	struct uring_timer guard;
	struct uring_loop_stats st;
	int ret;

	/* An unreferenced timer bounds the final run without keeping the
	 * loop alive: the run ends when nothing else is. */
	uring_timer_init(loop, &guard);
	uring_timer_start(&guard, until_timeout, ms * st_slowdown(), 0);
	uring_unref(&guard.handle);
	ret = uring_loop_run(loop, URING_RUN_DEFAULT);
	uring_close(&guard.handle, NULL);
	uring_loop_run(loop, URING_RUN_NOWAIT);
	if (ret != 0)
		st_fail(r, "loop still alive %u ms after the last close (%d)",
			ms, ret);
	uring_loop_stats(loop, &st);
	ST_CHECK(r, st.cqe_lost == 0, "the kernel lost %llu CQEs",
		 (unsigned long long)st.cqe_lost);
	ret = uring_loop_close(loop);
	if (ret) {
		st_fail(r, "uring_loop_close: %d (%s)", ret,
			uring_strerror(ret));
		uring_walk(loop, name_open, r);
	}
}

/* ------------------------------------------------------------- driver */

struct scenario {
	const char *name;
	void (*run)(struct st_result *r);
	unsigned watchdog_s; /* the process dies after this: a hang */
};

static const struct scenario scenarios[] = {
	{"churn", st_churn, 600},     {"overflow", st_overflow, 300},
	{"pool", st_pool, 300},       {"timers", st_timers, 300},
	{"async", st_async, 300},     {"msg-close", st_msg_close, 300},
	{"closes", st_closes, 300},
	{"churn-ring", st_churn_ring, 600},
	{"closes-ring", st_closes_ring, 300},
	{"stalls", st_stalls, 300},
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *running;

static void watchdog(int sig)
{
	static const char a[] = "FAIL: ", b[] = ": hung (watchdog fired)\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, a, sizeof(a) - 1);
	if (running)
		(void)!write(STDOUT_FILENO, running, strlen(running));
	(void)!write(STDOUT_FILENO, b, sizeof(b) - 1);
	_exit(2);
}

static bool run_one(const char *name, void (*run)(struct st_result *),
		    unsigned watchdog_s)
{
	struct st_result r;
	uint64_t t0;
	int fds0, fds1;

	memset(&r, 0, sizeof(r));
	r.name = name;
	running = name;
	alarm(watchdog_s * st_slowdown());
	fds0 = st_count_fds();
	t0 = st_now_us();
	run(&r);
	r.secs = (double)(st_now_us() - t0) / 1e6;
	fds1 = st_count_fds();
	alarm(0);
	ST_CHECK(&r, fds0 == fds1, "open fds: %d before, %d after", fds0, fds1);
	printf("%s: %-8s conns=%llu bytes=%llu ops=%llu time=%.2fs%s\n",
	       r.failures ? "FAIL" : "PASS", name,
	       (unsigned long long)r.conns, (unsigned long long)r.bytes,
	       (unsigned long long)r.ops, r.secs, r.extra);
	if (r.failures)
		printf("  %s: %u failed checks (seed %u; details on stderr)\n",
		       name, r.failures, (unsigned)st_opts.seed);
	fflush(stdout);
	return r.failures == 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: stress [--quick | --soak SECONDS] [--seed N] [-v] "
		   "[SCENARIO...]\nscenarios:");
	for (i = 0; i < NSCENARIOS; i++)
		fprintf(f, " %s", scenarios[i].name);
	fprintf(f, "\n--soak runs connection churn for SECONDS, sampling RSS "
		   "and open fds every second\n");
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* thousands of connections, both ends in this process */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < 16384) {
		rl.rlim_cur = rl.rlim_max < 16384 ? rl.rlim_max : 16384;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	bool want[NSCENARIOS] = {false}, any = false;
	unsigned passed = 0, failed = 0;
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quick")) {
			st_opts.mode = ST_QUICK;
		} else if (!strcmp(argv[a], "--soak") && a + 1 < argc) {
			st_opts.mode = ST_SOAK;
			st_opts.soak_s = (unsigned)strtoul(argv[++a], NULL, 10);
			if (!st_opts.soak_s) {
				usage(stderr);
				return 2;
			}
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			st_opts.seed = (uint32_t)strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "-v")) {
			st_opts.verbose = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		} else {
			for (i = 0; i < NSCENARIOS; i++)
				if (!strcmp(argv[a], scenarios[i].name))
					break;
			if (i == NSCENARIOS) {
				fprintf(stderr, "stress: unknown scenario or "
						"option '%s'\n", argv[a]);
				usage(stderr);
				return 2;
			}
			want[i] = any = true;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, watchdog);
	raise_fd_limit();
	if (st_opts.mode == ST_SOAK) {
		if (any)
			fprintf(stderr, "stress: --soak runs the soak only; "
					"scenario names ignored\n");
		if (run_one("soak", st_soak, st_opts.soak_s + 120))
			passed++;
		else
			failed++;
	} else {
		for (i = 0; i < NSCENARIOS; i++) {
			if (any && !want[i])
				continue;
			if (run_one(scenarios[i].name, scenarios[i].run,
				    scenarios[i].watchdog_s))
				passed++;
			else
				failed++;
		}
	}
	printf("stress: %u passed, %u failed (%s mode)\n", passed, failed,
	       st_opts.mode == ST_QUICK  ? "quick"
	       : st_opts.mode == ST_SOAK ? "soak"
					 : "full");
	return failed ? 1 : 0;
}
