/* SPDX-License-Identifier: MIT */
/*
 * embed-poll: drive a uringloop loop from a program's own poll(2) loop.
 *
 *   embed-poll [--ticks N] [--interval MS] [--jobs N]
 *
 * The program owns its main loop.  It polls standard input (its own event
 * source: each line read is echoed) together with the uringloop loop's
 * descriptor, for at most the loop's timeout, and after every wakeup runs
 * one non-blocking iteration of the loop.  On the loop side, a repeating
 * timer ticks and a worker thread reports finished jobs through an async
 * handle.  After N ticks the program closes every handle, keeps driving the
 * loop until the close callbacks have run, and closes the loop.
 *
 * Guide: docs/guide/embedding.md.  Pages: uring_loop_fd(3), uring_loop(3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uring/loop.h>

struct app {
	struct uring_loop loop;
	struct uring_timer tick;
	struct uring_async job_done;
	unsigned ticks, max_ticks, interval_ms, jobs;
	atomic_uint jobs_finished; /* written by the worker */
	atomic_bool worker_stop;   /* written by the main thread */
	bool quit, closing;
	int in; /* standard input, or -1 after EOF */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: embed-poll [--ticks N] [--interval MS] [--jobs N]\n"
		"Runs a uringloop loop inside the program's own poll(2) loop.\n"
		"Lines typed on standard input are echoed by the program; the\n"
		"loop prints a tick every MS milliseconds (default 200) and the\n"
		"jobs a worker thread finishes (default 3); after N ticks\n"
		"(default 5) everything is closed cleanly.\n");
}

/* ------------------------------------------------ the uringloop side */

static void on_tick(struct uring_timer *timer)
{
	struct app *app = timer->handle.data;

	printf("loop: tick %u\n", ++app->ticks);
	if (app->ticks == app->max_ticks)
		app->quit = true; /* the main loop starts the shutdown */
}

/* Coalesced: one call may stand for several sends. */
static void on_job_done(struct uring_async *async)
{
	struct app *app = async->handle.data;

	printf("loop: worker has finished %u of %u jobs\n",
	       atomic_load(&app->jobs_finished), app->jobs);
}

static void *worker(void *arg)
{
	struct app *app = arg;

	for (unsigned i = 0; i < app->jobs && !atomic_load(&app->worker_stop);
	     i++) {
		usleep(app->interval_ms * 1000 * 3 / 2); /* "work" */
		atomic_fetch_add(&app->jobs_finished, 1);
		uring_async_send(&app->job_done); /* any thread may call it */
	}
	return NULL;
}

static void close_handle(struct uring_handle *h, void *arg)
{
	(void)arg;
	if (!uring_is_closing(h))
		uring_close(h, NULL);
}

/* ---------------------------------------------- the program's own side */

static void read_stdin(struct app *app)
{
	char line[256];
	ssize_t n = read(app->in, line, sizeof(line) - 1);

	if (n <= 0) {
		app->in = -1; /* EOF or error: stop watching it */
		return;
	}
	line[n] = '\0';
	printf("program: read %s%s", line, line[n - 1] == '\n' ? "" : "\n");
}

/* First step of a clean shutdown: no thread may call uring_async_send()
 * once the handle is closed, so stop the worker before closing.  (Joining
 * blocks this loop for up to one job; a real program would let the worker
 * finish on its own and close from the async callback.) */
static void start_closing(struct app *app, pthread_t thread)
{
	atomic_store(&app->worker_stop, true);
	pthread_join(thread, NULL);
	uring_walk(&app->loop, close_handle, NULL);
	app->closing = true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ticks", required_argument, NULL, 't'},
		{"interval", required_argument, NULL, 'i'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct app app = {.max_ticks = 5, .interval_ms = 200, .jobs = 3};
	pthread_t thread;
	int c, ret, alive, loop_fd;

	while ((c = getopt_long(argc, argv, "t:i:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			app.max_ticks = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			app.interval_ms = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'j':
			app.jobs = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !app.max_ticks || !app.interval_ms) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	app.in = STDIN_FILENO;

	/* Default options: whatever task-run mode the kernel grants, the
	 * descriptor of uring_loop_fd() (an eventfd) wakes poll(2). */
	ret = uring_loop_init(&app.loop, NULL);
	if (ret < 0) {
		fprintf(stderr, "uring_loop_init: %s\n",
			uring_setup_strerror(ret));
		return 1;
	}
	loop_fd = uring_loop_fd(&app.loop); /* created once, then the same */
	if (loop_fd < 0) {
		fprintf(stderr, "uring_loop_fd: %s\n", uring_strerror(loop_fd));
		return 1;
	}
	app.tick.handle.data = &app; /* kept by the _init functions */
	app.job_done.handle.data = &app;
	uring_timer_init(&app.loop, &app.tick);
	uring_timer_start(&app.tick, on_tick, app.interval_ms, app.interval_ms);
	ret = uring_async_init(&app.loop, &app.job_done, on_job_done);
	if (ret < 0) {
		fprintf(stderr, "uring_async_init: %s\n", uring_strerror(ret));
		return 1;
	}

	/* The first run makes this thread the loop thread. */
	alive = uring_loop_run(&app.loop, URING_RUN_NOWAIT);
	if (pthread_create(&thread, NULL, worker, &app) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}

	while (alive > 0) {
		struct pollfd fds[2] = {
			{.fd = loop_fd, .events = POLLIN},
			{.fd = app.in, .events = POLLIN}, /* -1 is ignored */
		};
		int timeout = uring_loop_timeout(&app.loop); /* -1: none */

		if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
			perror("poll");
			return 1;
		}
		if (fds[1].revents)
			read_stdin(&app);
		/* Whatever woke us: one iteration, never blocking. */
		alive = uring_loop_run(&app.loop, URING_RUN_NOWAIT);
		if (app.quit && !app.closing) {
			start_closing(&app, thread);
			printf("program: closing every handle\n");
		}
	}
	if (alive < 0) {
		fprintf(stderr, "uring_loop_run: %s\n", uring_strerror(alive));
		return 1;
	}
	/* Not alive: every close callback has run. */
	ret = uring_loop_close(&app.loop);
	if (ret < 0) {
		fprintf(stderr, "uring_loop_close: %s\n", uring_strerror(ret));
		return 1;
	}
	printf("program: loop closed after %u ticks\n", app.ticks);
	return 0;
}
