/* SPDX-License-Identifier: MIT */
/*
 * tests/hog - a CPU hog, to run the suites on a busy machine (.ci/test
 * starts one per CPU around a `make check`): spins for SECONDS, then exits
 * 0 by itself, so a hog whose starter died never outlives the bound.
 *
 * Usage: hog SECONDS [CPU]
 *   SECONDS  1 to 3600;
 *   CPU      pin the hog to this CPU (default, or when the CPU is not
 *            ours: let the scheduler choose).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_SECONDS 3600

static volatile sig_atomic_t done;

static void time_up(int sig)
{
	(void)sig;
	done = 1;
}

/* s as a number in [min, max], or -1. */
static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= min && v <= max ? v : -1;
}

static int pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("hog: sched_setaffinity");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = time_up};
	long seconds = argc >= 2 ? number(argv[1], 1, MAX_SECONDS) : -1;
	long cpu = argc == 3 ? number(argv[2], 0, CPU_SETSIZE - 1) : -1;

	if (seconds < 0 || argc > 3 || (argc == 3 && cpu < 0)) {
		fprintf(stderr, "usage: hog SECONDS(1-%d) [CPU]\n", MAX_SECONDS);
		return 2;
	}
	if (cpu >= 0)
		(void)pin(cpu); /* said why; spins where the scheduler puts it */
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
	while (!done)
		; /* `done` is volatile: read on every turn */
	return 0;
}
