/* SPDX-License-Identifier: MIT */
/* msg-test: messages between loops: MSG_RING between loop threads, the
 * queued fallback from plain threads, ordering (also of a queued message
 * and a later MSG_RING), closed ports. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include <uring/loop.h>

#include "loop-util.h"


/* ------------------------------------------------ ping-pong between loops */
/* Under valgrind 2,000 rounds: the same MSG_RING path both ways, at a
 * tenth of the cost. */
#define ROUNDS 20000
static uint32_t rounds;
struct side {
	struct uring_loop loop;
	struct uring_msg_port port;
	struct side *peer;
	unsigned got;
	uint32_t last;
	bool bad;
	pthread_barrier_t *ready;
};

static void pong(struct uring_msg_port *port, uint32_t value)
{
	struct side *me = port->handle.data;

	/* each side sees every other value: 0, 2, 4... or 1, 3, 5... */
	if (me->got && value != me->last + 2)
		me->bad = true;
	me->last = value;
	me->got++;
	if (value + 1 < rounds)
		ck_assert_int_eq(uring_msg_send(&me->loop, &me->peer->port,
						value + 1),
				 0);
	if (value + 2 >= rounds)
		uring_close(&port->handle, NULL);
}

static void *run_side(void *arg)
{
	struct side *me = arg;

	/* enable the ring on this thread before anyone sends MSG_RING */
	ck_assert_int_ge(uring_loop_run(&me->loop, URING_RUN_NOWAIT), 0);
	pthread_barrier_wait(me->ready);
	if (me < me->peer) /* one side serves first */
		ck_assert_int_eq(uring_msg_send(&me->loop, &me->peer->port, 0),
				 0);
	ck_assert_int_eq(uring_loop_run(&me->loop, URING_RUN_DEFAULT), 0);
	/* a loop is closed on its own thread (another gets -EINVAL) */
	pthread_barrier_wait(me->ready);
	close_loop(&me->loop);
	return NULL;
}

START_TEST(ping_pong_between_loop_threads)
{
	struct side *s = calloc(2, sizeof(*s));
	pthread_barrier_t ready;
	pthread_t th[2];
	int i;

	rounds = UT_VG_SCALE(ROUNDS, 2000);
	pthread_barrier_init(&ready, NULL, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(uring_loop_init(&s[i].loop, NULL), 0);
		s[i].port.handle.data = &s[i];
		ck_assert_int_eq(uring_msg_port_init(&s[i].loop, &s[i].port, pong),
				 0);
		s[i].peer = &s[1 - i];
		s[i].ready = &ready;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, run_side, &s[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(s[0].got + s[1].got, rounds);
	ck_assert(!s[0].bad && !s[1].bad);
	pthread_barrier_destroy(&ready);
	free(s);
}
END_TEST

/* ------------------------------------------------ a burst keeps its order */
#define BURST 1000
static uint32_t burst_next;
static bool burst_bad;
static void burst_cb(struct uring_msg_port *port, uint32_t value)
{
	/* the test's thread watches it */
	uint32_t next = atomic_load((_Atomic uint32_t *)&burst_next);

	if (value != next)
		burst_bad = true;
	atomic_store((_Atomic uint32_t *)&burst_next, ++next);
	if (next == BURST)
		uring_close(&port->handle, NULL);
}

static void *burst_receiver(void *arg)
{
	struct uring_loop *loop = arg;

	ck_assert_int_eq(uring_loop_run(loop, URING_RUN_DEFAULT), 0);
	close_loop(loop);
	return NULL;
}

START_TEST(burst_in_order)
{
	struct uring_loop a, b;
	struct uring_msg_port port;
	pthread_t th;
	uint32_t i;

	ck_assert_int_eq(uring_loop_init(&a, NULL), 0);
	ck_assert_int_eq(uring_loop_init(&b, NULL), 0);
	ck_assert_int_eq(uring_msg_port_init(&b, &port, burst_cb), 0);
	burst_next = 0;
	burst_bad = false;
	/* b has not run yet: these go through the queue... */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(uring_msg_send(&a, &port, i), 0);
	pthread_create(&th, NULL, burst_receiver, &b);
	while (!atomic_load((_Atomic bool *)&b.enabled))
		usleep(1000);
	/* ...and wait for the receiver to take them before MSG_RING ones,
	 * so the two paths cannot reorder */
	while (atomic_load((_Atomic uint32_t *)&burst_next) < 10)
		usleep(1000);
	ck_assert_int_eq(uring_loop_run(&a, URING_RUN_NOWAIT), 0);
	for (i = 10; i < BURST; i++) {
		ck_assert_int_eq(uring_msg_send(&a, &port, i), 0);
		if (i % 100 == 0)
			uring_loop_run(&a, URING_RUN_NOWAIT);
	}
	uring_loop_run(&a, URING_RUN_NOWAIT);
	pthread_join(th, NULL);
	ck_assert_uint_eq(burst_next, BURST);
	ck_assert(!burst_bad);
	ck_assert_int_eq(uring_loop_close(&b), -EINVAL); /* closed already */
	close_loop(&a);
}
END_TEST

/* ------------------------------------------------ from plain threads */
#define SENDERS 4
/* Under valgrind 1,000 per sender: 4,000 messages still fill the
 * 256-entry queue (-EAGAIN) and wrap it many times. */
#define PER_SENDER 5000
static unsigned per_sender;
static struct uring_msg_port plain_port;
static unsigned plain_got;
static uint64_t plain_sum;

static void plain_cb(struct uring_msg_port *port, uint32_t value)
{
	plain_got++;
	plain_sum += value;
	if (plain_got == SENDERS * per_sender)
		uring_close(&port->handle, NULL);
}

static void *plain_sender(void *arg)
{
	unsigned base = (unsigned)(uintptr_t)arg * per_sender, i, spins = 0;

	for (i = 0; i < per_sender; i++) {
		int ret;

		while ((ret = uring_msg_send(NULL, &plain_port, base + i)) ==
		       -EAGAIN) {
			ck_assert_uint_lt(++spins, 10000000);
			sched_yield(); /* queue full: the loop drains it */
		}
		ck_assert_int_eq(ret, 0);
	}
	return NULL;
}

START_TEST(from_plain_threads)
{
	struct uring_loop loop;
	pthread_t th[SENDERS];
	uint64_t n;
	int i;

	per_sender = UT_VG_SCALE(PER_SENDER, 1000);
	n = (uint64_t)SENDERS * per_sender;

	ck_assert_int_eq(uring_loop_init(&loop, NULL), 0);
	ck_assert_int_eq(uring_msg_port_init(&loop, &plain_port, plain_cb), 0);
	plain_got = 0;
	plain_sum = 0;
	for (i = 0; i < SENDERS; i++)
		pthread_create(&th[i], NULL, plain_sender, (void *)(uintptr_t)i);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_DEFAULT), 0);
	for (i = 0; i < SENDERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(plain_got, n);
	ck_assert_uint_eq(plain_sum, n * (n - 1) / 2); /* each exactly once */
	close_loop(&loop);
}
END_TEST

/* ------------------------------------------------ closed ports */
static int never_calls;
static void never_cb(struct uring_msg_port *port, uint32_t value)
{
	(void)port;
	(void)value;
	never_calls++;
}
static void free_port(struct uring_handle *h)
{
	free(h);
}

START_TEST(message_to_closed_port_is_dropped)
{
	struct uring_loop loop;
	struct uring_msg_port *port = malloc(sizeof(*port)), other;

	ck_assert_int_eq(uring_loop_init(&loop, NULL), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	ck_assert_int_eq(uring_msg_port_init(&loop, port, never_cb), 0);
	never_calls = 0;
	/* queued on this loop's SQ, not yet delivered */
	ck_assert_int_eq(uring_msg_send(&loop, port, 7), 0);
	uring_close(&port->handle, free_port);
	/* a new port may take the same slot: the old message must not
	 * reach it either (its generation differs) */
	ck_assert_int_eq(uring_msg_port_init(&loop, &other, never_cb), 0);
	uring_unref(&other.handle);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_ONCE), 0);
	ck_assert_int_eq(uring_loop_run(&loop, URING_RUN_NOWAIT), 0);
	ck_assert_int_eq(never_calls, 0);
	ck_assert_int_eq(uring_msg_send(NULL, NULL, 1), -EINVAL);
	ck_assert_int_eq(uring_msg_port_init(&loop, &other, NULL), -EINVAL);
	uring_close(&other.handle, NULL);
	close_loop(&loop);
}
END_TEST

/* ------------------------------------------ queued, then by MSG_RING */
/* A message sent before the receiving loop first ran waits in the port's
 * queue; one sent after the receiver's ring was enabled, but before its
 * queue was drained, must not overtake it.  The receiver's prepare hook
 * runs in that window (the ring enabled by uring_loop_run, nothing reaped
 * yet) and stands for the sending thread. */
static struct uring_loop order_a, order_b;
static struct uring_msg_port order_port;
static struct uring_hook order_hook;
static uint32_t order_got[2];
static int order_n;
static bool order_sent;

static void order_msg(struct uring_msg_port *p, uint32_t v)
{
	order_got[order_n++] = v;
	if (order_n == 2) {
		uring_close(&p->handle, NULL);
		uring_close(&order_hook.handle, NULL);
	}
}

static void send_second(struct uring_hook *h)
{
	(void)h;
	if (order_sent)
		return;
	order_sent = true;
	ck_assert_int_eq(uring_msg_send(&order_a, &order_port, 2), 0);
	/* the sender's loop submits it */
	ck_assert_int_eq(uring_loop_run(&order_a, URING_RUN_NOWAIT), 0);
}

START_TEST(queued_message_not_overtaken)
{
	order_n = 0;
	order_sent = false;
	ck_assert_int_eq(uring_loop_init(&order_a, NULL), 0);
	ck_assert_int_eq(uring_loop_init(&order_b, NULL), 0);
	ck_assert_int_eq(uring_msg_port_init(&order_b, &order_port, order_msg),
			 0);
	ck_assert_int_eq(uring_prepare_init(&order_b, &order_hook), 0);
	ck_assert_int_eq(uring_prepare_start(&order_hook, send_second), 0);
	ck_assert_int_eq(uring_loop_run(&order_a, URING_RUN_NOWAIT), 0);
	/* B never ran: queued */
	ck_assert_int_eq(uring_msg_send(&order_a, &order_port, 1), 0);
	close_loop(&order_b);
	ck_assert_int_eq(order_n, 2);
	ck_assert_msg(order_got[0] == 1 && order_got[1] == 2,
		      "received %u then %u; sent 1 then 2", order_got[0],
		      order_got[1]);
	close_loop(&order_a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = ut_tcase("msg", 60);

	UT_ADD(tc, message_to_closed_port_is_dropped);
	UT_ADD(tc, queued_message_not_overtaken);
	suite_add_tcase(s, tc);
	tc = ut_tcase_cross_thread("msg_cross_thread", 60);
	UT_ADD(tc, ping_pong_between_loop_threads);
	UT_ADD(tc, burst_in_order);
	UT_ADD(tc, from_plain_threads);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
