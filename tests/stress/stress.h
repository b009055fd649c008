/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/stress.h - what the stress scenarios share: the run mode,
 * one result record per scenario (figures and failed checks), bounded loop
 * runs, and process figures (open fds, RSS).
 *
 * A scenario never aborts on a failed check: it counts it (the first few
 * are printed to stderr with the scenario's name), finishes or runs out of
 * time, and the driver prints its one line of figures with PASS or FAIL.
 */
#ifndef URING_STRESS_H
#define URING_STRESS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <uring/loop.h>
#include <uring/stream.h>

#if defined(__SANITIZE_ADDRESS__)
#define ST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ST_ASAN 1
#endif
#endif
#ifndef ST_ASAN
#define ST_ASAN 0
#endif

enum st_mode { ST_QUICK, ST_FULL, ST_SOAK };

struct st_opts {
	enum st_mode mode;
	unsigned soak_s; /* --soak N */
	uint32_t seed;   /* --seed N: every scenario's randomness */
	bool verbose;
};
extern struct st_opts st_opts;

/* How many times slower than a real CPU this one is (UT_SLOWDOWN, 1 when
 * unset): the run-until and close bounds and the watchdog scale by it. */
unsigned st_slowdown(void);

/* `quick` with --quick, `full` otherwise. */
#define ST_SCALE(quick, full) (st_opts.mode == ST_QUICK ? (quick) : (full))

struct st_result {
	const char *name;
	uint64_t conns, bytes, ops;
	double secs;
	unsigned failures;
	char extra[768]; /* scenario-specific figures, appended by st_extra */
};

/* A failed check: counted, and the first few printed to stderr. */
void st_fail(struct st_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define ST_CHECK(r, cond, ...)                                                 \
	do {                                                                   \
		if (!(cond))                                                   \
			st_fail((r), __VA_ARGS__);                             \
	} while (0)
/* Append " fmt" to the result's figures. */
void st_extra(struct st_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t st_now_us(void);
/* Entries of /proc/self/fd (the directory's own fd not counted). */
int st_count_fds(void);
/* Resident set size in KiB, from /proc/self/statm. */
long st_rss_kib(void);

/* xorshift32: deterministic per --seed. */
static inline uint32_t st_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}
/* Uniform in [0, n). */
static inline uint32_t st_below(uint32_t *s, uint32_t n)
{
	return n ? (uint32_t)(((uint64_t)st_rand(s) * n) >> 32) : 0;
}
uint32_t st_seed(const char *scenario);

struct sockaddr_in st_loopback(uint16_t port);
/* SO_LINGER {1, 0}: the next close(2) of fd sends RST. */
int st_set_rst(int fd);

/* uring_loop_init, or a failed check with the reason. */
bool st_loop_init(struct uring_loop *loop, const struct uring_loop_options *o,
		  struct st_result *r);
/* Run the loop until done(arg) holds (checked after every iteration) or
 * ms pass; returns whether done(arg) held. */
bool st_run_until(struct uring_loop *loop, bool (*done)(void *), void *arg,
		  unsigned ms);
/* Run until nothing is alive (at most ms), then uring_loop_close(); what is
 * left open is a failed check naming the handles. */
void st_close_loop(struct uring_loop *loop, struct st_result *r, unsigned ms);

/* Scenarios (one file each). */
void st_churn(struct st_result *r);
void st_churn_ring(struct st_result *r);
void st_pool(struct st_result *r);
void st_overflow(struct st_result *r);
void st_timers(struct st_result *r);
void st_async(struct st_result *r);
void st_msg_close(struct st_result *r);
void st_closes(struct st_result *r);
void st_closes_ring(struct st_result *r);
void st_soak(struct st_result *r);
void st_stalls(struct st_result *r);

#endif
