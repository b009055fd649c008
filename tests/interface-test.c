/* SPDX-License-Identifier: MIT */
/*
 * interface-test: what docs/ABI.md promises of the structures (reserved
 * space last, its options refused unless zero, the size functions of
 * bindings) and what uring_loop(3) says a forked child may do.
 */
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uring/fs.h>
#include <uring/stream.h>
#include <uring/udp.h>
#include <uring/work.h>

#include "loop-util.h"

/* Reserved space is the struct's last member: a field added after it
 * would move nothing for old programs but would not be room taken. */
#define RESERVED_LAST(type)                                                    \
	ck_assert_uint_eq(offsetof(struct type, reserved) +                    \
				  sizeof(((struct type *)0)->reserved),        \
			  sizeof(struct type))

START_TEST(reserved_space_is_last)
{
	RESERVED_LAST(uring_ring);
	RESERVED_LAST(uring_ring_options);
	RESERVED_LAST(uring_loop);
	RESERVED_LAST(uring_loop_options);
	RESERVED_LAST(uring_loop_stats);
	RESERVED_LAST(uring_async);
	RESERVED_LAST(uring_signal);
	RESERVED_LAST(uring_poll);
	RESERVED_LAST(uring_msg_port);
	RESERVED_LAST(uring_udp);
	RESERVED_LAST(uring_req);
	RESERVED_LAST(uring_connect);
	RESERVED_LAST(uring_write);
	RESERVED_LAST(uring_shutdown);
	RESERVED_LAST(uring_udp_send);
	RESERVED_LAST(uring_fs);
	RESERVED_LAST(uring_work);
	RESERVED_LAST(uring_getaddrinfo);
	RESERVED_LAST(uring_getnameinfo);
	RESERVED_LAST(uring_child);
}
END_TEST

START_TEST(sizes_for_bindings)
{
	unsigned t;

	ck_assert_uint_eq(uring_loop_size(), sizeof(struct uring_loop));
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_TIMER),
			  sizeof(struct uring_timer));
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_CHECK),
			  sizeof(struct uring_hook));
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_UNIX),
			  sizeof(struct uring_stream));
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_UDP),
			  sizeof(struct uring_udp));
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_MSG_PORT),
			  sizeof(struct uring_msg_port));
	ck_assert_uint_eq(uring_req_size(URING_REQ_GENERIC),
			  sizeof(struct uring_req));
	ck_assert_uint_eq(uring_req_size(URING_REQ_WRITE),
			  sizeof(struct uring_write));
	ck_assert_uint_eq(uring_req_size(URING_REQ_FS), sizeof(struct uring_fs));
	ck_assert_uint_eq(uring_req_size(URING_REQ_CHILD),
			  sizeof(struct uring_child));
	/* a type added to an enum must get its size too */
	for (t = 1; t < URING_HANDLE_TYPE_MAX; t++)
		ck_assert_msg(uring_handle_size((enum uring_handle_type)t) >=
				      sizeof(struct uring_handle),
			      "handle type %u (%s) has no size", t,
			      uring_handle_type_name((enum uring_handle_type)t));
	for (t = 1; t < URING_REQ_TYPE_MAX; t++)
		ck_assert_msg(uring_req_size((enum uring_req_type)t) > 0,
			      "request type %u has no size", t);
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_UNKNOWN), 0);
	ck_assert_uint_eq(uring_handle_size(URING_HANDLE_TYPE_MAX), 0);
	ck_assert_uint_eq(uring_handle_size((enum uring_handle_type)-1), 0);
	ck_assert_uint_eq(uring_req_size(URING_REQ_UNKNOWN), 0);
	ck_assert_uint_eq(uring_req_size(URING_REQ_TYPE_MAX), 0);
}
END_TEST

/* A newer header's option this library cannot honour is refused, not
 * silently ignored. */
START_TEST(reserved_options_must_be_zero)
{
	struct uring_loop loop;
	struct uring_loop_options o;
	struct uring_ring ring;
	struct uring_ring_options ro;

	memset(&o, 0, sizeof(o));
	o.reserved[7] = 1;
	ck_assert_int_eq(uring_loop_init(&loop, &o), -EINVAL);
	memset(&ro, 0, sizeof(ro));
	ro.sq_entries = 8;
	ro.reserved[0] = 1;
	ck_assert_int_eq(uring_ring_init_options(&ring, &ro), -EINVAL);
	ro.reserved[0] = 0;
	ck_assert_int_eq(uring_ring_init_options(&ring, &ro), 0);
	uring_ring_exit(&ring);
}
END_TEST

static char fork_buf[16];
static int fork_read = -1;

static void fork_read_done(struct uring_req *req, int result)
{
	(void)req;
	fork_read = result;
}

static int fork_ticks;

static void fork_tick(struct uring_timer *t)
{
	fork_ticks++;
	uring_close(&t->handle, NULL);
}

/* The child of a fork, as uring_loop(3) says: leave the parent's loop
 * alone, make a loop of its own.  Exit status: 0, or which step failed. */
static int forked_child(void)
{
	struct uring_loop own;
	struct uring_timer t;

	if (uring_loop_init(&own, NULL) != 0)
		return 1;
	if (uring_timer_init(&own, &t) != 0 ||
	    uring_timer_start(&t, fork_tick, 1, 0) != 0)
		return 2;
	if (uring_loop_run(&own, URING_RUN_DEFAULT) != 0 || fork_ticks != 1)
		return 3;
	return uring_loop_close(&own) == 0 ? 0 : 4;
}

/* The parent's read, in flight across the fork, completes in the
 * parent with its bytes while the child runs a loop of its own. */
START_TEST(fork_child_makes_its_own_loop)
{
	struct uring_loop loop;
	struct uring_req req;
	struct uring_sqe *sqe;
	int fds[2], status;
	pid_t pid;

	init_loop(&loop);
	ck_assert_int_eq(pipe(fds), 0);
	sqe = uring_req_sqe(&loop, &req);
	ck_assert_ptr_nonnull(sqe);
	uring_prep_read(sqe, fds[0], fork_buf, sizeof(fork_buf), 0);
	ck_assert_int_eq(uring_req_submit(&req, fork_read_done, 0, 0), 0);
	/* the read is with the kernel before the fork */
	ck_assert_int_ge(uring_loop_run(&loop, URING_RUN_NOWAIT), 1);
	ck_assert_int_eq(fork_read, -1);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(forked_child());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status %#x", status);

	ck_assert_int_eq(write(fds[1], "hello", 5), 5);
	close_loop(&loop);
	ck_assert_int_eq(fork_read, 5);
	ck_assert_mem_eq(fork_buf, "hello", 5);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("interface");
	TCase *tc = ut_tcase("interface", 30);

	UT_ADD(tc, reserved_space_is_last);
	UT_ADD(tc, sizes_for_bindings);
	UT_ADD(tc, reserved_options_must_be_zero);
	UT_ADD(tc, fork_child_makes_its_own_loop);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
