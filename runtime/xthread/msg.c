/* SPDX-License-Identifier: MIT */
/*
 * runtime/xthread/msg.c - messages between loops.
 *
 * Fast path: the sending loop submits IORING_OP_MSG_RING (5.18), which posts
 * a CQE straight into the receiving loop's CQ: no eventfd write, no extra
 * wakeup syscall, and the receiver's wait ends as for any completion.
 * The CQE's user_data is a token, not a pointer: (generation, slot) in the
 * receiving loop's port table, tagged in the low bits (operation records
 * are 8-byte aligned, so their low bits are 0).  A port closed while
 * messages are in flight only bumps its slot's generation; late messages
 * then find nothing and are dropped, never touching freed memory.
 *
 * Fallback (senders that are not loop threads, or a receiver not running
 * yet, whose disabled ring refuses MSG_RING): a small spinlocked queue in
 * the port and the loop's async eventfd wakeup (async.c).
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "xthread-internal.h"

#define TOKEN_TAG 1ULL
#define ATOMIC_INT(p) ((_Atomic int *)(p))

/* port->pending */
#define PORT_WAKE 1    /* queued since the loop last looked */
#define PORT_BEHIND 2  /* a loop sender queued (the ring not yet enabled):
			* its later MSG_RING messages must not overtake */
#define PORT_SENDER 4  /* the bits from here count the threads inside
			* uring_msg_send(): closing waits for them */

static uint64_t make_token(unsigned slot, uint32_t gen)
{
	return ((uint64_t)gen << 32) | ((uint64_t)slot << 3) | TOKEN_TAG;
}

bool uring__is_msg_token(uint64_t user_data)
{
	return (user_data & 7) == TOKEN_TAG;
}

/* A free slot in the loop's port table, growing it (not a hot path). */
static int take_slot(struct uring_loop *loop, struct uring_msg_port *port)
{
	URING__KEEP_ERRNO(); /* realloc() */
	unsigned i, n;
	struct uring_msg_port **ports;
	uint32_t *gens;

	for (i = 0; i < loop->nports; i++)
		if (!loop->ports[i])
			goto found;
	n = loop->nports ? 2 * loop->nports : 8;
	ports = realloc(loop->ports, n * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	loop->ports = ports;
	gens = realloc(loop->port_gens, n * sizeof(*gens));
	if (!gens)
		return -ENOMEM;
	loop->port_gens = gens;
	memset(ports + loop->nports, 0, (n - loop->nports) * sizeof(*ports));
	memset(gens + loop->nports, 0, (n - loop->nports) * sizeof(*gens));
	i = loop->nports;
	loop->nports = n;
found:
	loop->ports[i] = port;
	port->token = make_token(i, loop->port_gens[i]);
	return 0;
}

int uring_msg_port_init(struct uring_loop *loop, struct uring_msg_port *port,
			uring_msg_cb cb)
{
	void *data;
	int ret;

	if (!loop || !port || !cb || loop->closed)
		return -EINVAL;
	ret = uring__async_setup(loop);
	if (ret)
		return ret;
	data = port->handle.data;
	memset(port, 0, sizeof(*port));
	port->handle.data = data;
	ret = take_slot(loop, port);
	if (ret)
		return ret;
	port->cb = cb;
	uring__handle_init(loop, &port->handle, URING_HANDLE_MSG_PORT);
	uring__list_add_tail(&loop->msg_ports, &port->node);
	uring__handle_start(&port->handle);
	return 0;
}

/* The queue for senders without a loop, or whose receiver's ring is not
 * enabled yet: a spinlock is enough, the critical section is a few
 * stores.  flags: the PORT_* bits to set in port->pending. */
static int enqueue(struct uring_msg_port *port, uint32_t value, int flags)
{
	int ret = 0;

	while (atomic_exchange(ATOMIC_INT(&port->lock), 1))
		sched_yield();
	if (port->tail - port->head == URING_MSG_QUEUE_LEN) {
		ret = -EAGAIN;
	} else {
		port->queue[port->tail++ % URING_MSG_QUEUE_LEN] = value;
		/* under the lock: dequeue() clears BEHIND only with the
		 * queue empty, so it never loses this message's mark */
		atomic_fetch_or(ATOMIC_INT(&port->pending), flags);
	}
	atomic_store(ATOMIC_INT(&port->lock), 0);
	return ret;
}

/* from: the sending loop, or NULL for a plain thread (which never uses
 * MSG_RING, so has no order to keep against it). */
static int send_queued(struct uring_loop *from, struct uring_msg_port *port,
		       uint32_t value)
{
	int ret = enqueue(port, value, PORT_WAKE | (from ? PORT_BEHIND : 0));

	if (ret)
		return ret;
	uring__async_wake(port->handle.loop);
	return 0;
}

static int send_one(struct uring_loop *from, struct uring_msg_port *port,
		    uint32_t value)
{
	struct uring_loop *to = port->handle.loop;
	struct uring_sqe *sqe;

	/* A ring that has not been enabled (its loop never ran) refuses
	 * MSG_RING with -EBADFD: queue instead (uring__msg_dispatch keeps
	 * such a message ahead of the sender's later MSG_RING ones). */
	if (!from || !uring__load_acquire(&to->enabled))
		return send_queued(from, port, value);
	if (from->closed)
		return -EINVAL;
	sqe = uring__loop_sqe(from);
	if (!sqe)
		return -EBUSY;
	uring_prep_msg_ring(sqe, uring_ring_fd(&to->ring), value, port->token,
			    0);
	/* Nothing waits for the sender's own CQE: skip it on success, drop
	 * it otherwise (the receiver is gone). */
	sqe->user_data = URING_UD_IGNORE;
	sqe->flags |= URING_SQE_CQE_SKIP_SUCCESS;
	return 0;
}

/* Counted in while it reads the port and its loop (the queue path wakes
 * the loop after unlocking): a close that races with it waits, so the
 * close callback may free the port. */
int uring_msg_send(struct uring_loop *from, struct uring_msg_port *port,
		   uint32_t value)
{
	int ret;

	if (!port || port->handle.type != URING_HANDLE_MSG_PORT)
		return -EINVAL;
	atomic_fetch_add(ATOMIC_INT(&port->pending), PORT_SENDER);
	ret = send_one(from, port, value);
	atomic_fetch_sub(ATOMIC_INT(&port->pending), PORT_SENDER);
	return ret;
}

/* Take one queued message of a port; false when the queue is empty. */
static bool dequeue(struct uring_msg_port *port, uint32_t *value)
{
	bool got = false;

	while (atomic_exchange(ATOMIC_INT(&port->lock), 1))
		sched_yield();
	if (port->head != port->tail) {
		*value = port->queue[port->head++ % URING_MSG_QUEUE_LEN];
		got = true;
	} else {
		atomic_fetch_and(ATOMIC_INT(&port->pending), ~PORT_BEHIND);
	}
	atomic_store(ATOMIC_INT(&port->lock), 0);
	return got;
}

/* Deliver what a port has queued. */
static void deliver_queued(struct uring_msg_port *port)
{
	uint32_t value;

	while (!(port->handle.flags & URING_HANDLE__CLOSING) &&
	       dequeue(port, &value))
		port->cb(port, value);
}

void uring__msg_dispatch(struct uring_loop *loop, uint64_t token, int res)
{
	unsigned slot = (unsigned)(token >> 3) & 0x1fffffff;
	struct uring_msg_port *port;

	if (slot >= loop->nports)
		return;
	port = loop->ports[slot];
	if (!port || port->token != token)
		return; /* closed since: drop */
	/* A loop sender's message queued while this ring was disabled was
	 * queued before its later MSG_RING ones were even submitted, but the
	 * eventfd wakeup that delivers the queue may come after their CQEs:
	 * deliver the queue first, or that sender's messages would arrive
	 * out of order (plain threads' queued messages come earlier than
	 * they would have, which no order promises against). */
	if (atomic_load(ATOMIC_INT(&port->pending)) & PORT_BEHIND)
		deliver_queued(port);
	if (!(port->handle.flags & URING_HANDLE__CLOSING))
		port->cb(port, (uint32_t)res);
}

/*
 * Deliver queued messages of every port (async.c calls this on wakeup).
 * Ports move to a private list first, so a callback may close any port,
 * itself included (closing unlinks it from whichever list holds it).
 */
void uring__msg_run_queues(struct uring_loop *loop)
{
	struct uring_list pass;
	struct uring_msg_port *port;

	if (uring__list_empty(&loop->msg_ports))
		return;
	uring__list_move_all(&loop->msg_ports, &pass);
	while (!uring__list_empty(&pass)) {
		port = uring__container_of(pass.next, struct uring_msg_port,
					   node);
		uring__list_del(&port->node);
		uring__list_add_tail(&loop->msg_ports, &port->node);
		if (atomic_fetch_and(ATOMIC_INT(&port->pending), ~PORT_WAKE) &
		    PORT_WAKE)
			deliver_queued(port);
	}
}

void uring__msg_port_close(struct uring_msg_port *port)
{
	struct uring_loop *loop = port->handle.loop;
	unsigned slot = (unsigned)(port->token >> 3) & 0x1fffffff;

	/* Senders are short (a few stores, an SQE, maybe a write): wait for
	 * any still inside uring_msg_send() before the close callback may
	 * free the port.  Sends that start after close are the caller's bug. */
	while (atomic_load(ATOMIC_INT(&port->pending)) >= PORT_SENDER)
		sched_yield();
	loop->ports[slot] = NULL;
	loop->port_gens[slot]++;
	uring__list_del(&port->node);
}

void uring__msg_free(struct uring_loop *loop)
{
	free(loop->ports);
	free(loop->port_gens);
	loop->ports = NULL;
	loop->port_gens = NULL;
	loop->nports = 0;
}
