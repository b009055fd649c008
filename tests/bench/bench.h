/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/bench.h - what every benchmark program shares: options,
 * CPU pinning, the clock and the JSON result line.  Header-only so that the
 * comparison programs (liburing, libuv, epoll) need nothing of uringloop.
 *
 * Common options:  --quick  --duration SECONDS  --cpu N  --help
 * Result lines on stdout, one JSON object each (see BENCHMARKS.md):
 *   {"bench":"ring_nop","impl":"uringloop","metric":"...","value":...,"better":"higher"}
 * Everything else (progress, errors) goes to stderr.
 */
#ifndef URING_BENCH_H
#define URING_BENCH_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct bench_opts {
	bool quick;
	double duration; /* seconds per metric; 0: the program's default */
	int cpu;         /* -1: the last CPU we are allowed on */
};

static inline __attribute__((noreturn, format(printf, 1, 2))) void
bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Pin the calling thread to one CPU so runs do not migrate mid-measurement.
 * Returns the CPU. */
static inline int bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		if (sched_getaffinity(0, sizeof(set), &set))
			bench_die("sched_getaffinity: %s", strerror(errno));
		for (int i = CPU_SETSIZE - 1; i >= 0; i--) {
			if (CPU_ISSET(i, &set)) {
				cpu = i;
				break;
			}
		}
		if (cpu < 0)
			bench_die("no CPU in the affinity mask");
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_die("sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
	return cpu;
}

/* Process CPU time so far (user + system, all threads), in seconds. */
static inline double bench_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		bench_die("getrusage: %s", strerror(errno));
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* The CPUs this process may run on (call before any bench_pin()). */
static inline void bench_allowed(cpu_set_t *set)
{
	if (sched_getaffinity(0, sizeof(*set), set))
		bench_die("sched_getaffinity: %s", strerror(errno));
}

/* Pin the calling thread to the CPUs of `allowed` other than `cpu` (so
 * peers of a thread pinned to `cpu` run beside it, not on it); to `cpu`
 * itself if there is no other.  Returns how many CPUs it may use. */
static inline int bench_pin_others(const cpu_set_t *allowed, int cpu)
{
	cpu_set_t set = *allowed;

	CPU_CLR(cpu, &set);
	if (CPU_COUNT(&set) == 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_die("sched_setaffinity: %s", strerror(errno));
	return CPU_COUNT(&set);
}

/* The lowest CPU of `allowed` other than `cpu` (`cpu` if there is none). */
static inline int bench_other_cpu(const cpu_set_t *allowed, int cpu)
{
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (i != cpu && CPU_ISSET(i, allowed))
			return i;
	return cpu;
}

/*
 * Parse the common options.  `extra` handles program-specific ones: it gets
 * argv[i] and returns true if it consumed it.  `usage` is printed for --help
 * and on errors.
 */
static inline void bench_parse(int argc, char **argv, struct bench_opts *o,
			       bool (*extra)(const char *arg), const char *usage)
{
	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--quick")) {
			o->quick = true;
		} else if (!strcmp(a, "--duration") && i + 1 < argc) {
			o->duration = strtod(argv[++i], NULL);
			if (!(o->duration > 0))
				bench_die("--duration needs a positive number");
		} else if (!strcmp(a, "--cpu") && i + 1 < argc) {
			o->cpu = atoi(argv[++i]);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf("usage: %s [--quick] [--duration S] [--cpu N]%s\n",
			       argv[0], usage);
			exit(0);
		} else if (!extra || !extra(a)) {
			fprintf(stderr, "usage: %s [--quick] [--duration S] [--cpu N]%s\n",
				argv[0], usage);
			exit(2);
		}
	}
}

static inline void bench_result(const char *bench, const char *impl,
				const char *metric, double value,
				const char *better)
{
	printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"metric\":\"%s\","
	       "\"value\":%.9g,\"better\":\"%s\"}\n",
	       bench, impl, metric, value, better);
	fflush(stdout);
}

#endif /* URING_BENCH_H */
