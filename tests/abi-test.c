/* SPDX-License-Identifier: MIT */
/*
 * abi-test: our ABI definitions (uring/abi.h) against the system's
 * <linux/io_uring.h> for every field and constant that header knows.
 * Including both in one file is itself part of the test: no clash.
 */
#include <linux/io_uring.h>
#include <stddef.h>

#include "test-util.h"

#define SAME_OFFSET(ours, theirs, field)                                       \
	ck_assert_uint_eq(offsetof(struct ours, field),                        \
			  offsetof(struct theirs, field))

START_TEST(sqe_layout)
{
	ck_assert_uint_eq(sizeof(struct uring_sqe), 64);
	ck_assert_uint_eq(sizeof(struct uring_sqe), sizeof(struct io_uring_sqe));
	SAME_OFFSET(uring_sqe, io_uring_sqe, opcode);
	SAME_OFFSET(uring_sqe, io_uring_sqe, flags);
	SAME_OFFSET(uring_sqe, io_uring_sqe, ioprio);
	SAME_OFFSET(uring_sqe, io_uring_sqe, fd);
	SAME_OFFSET(uring_sqe, io_uring_sqe, off);
	SAME_OFFSET(uring_sqe, io_uring_sqe, addr);
	SAME_OFFSET(uring_sqe, io_uring_sqe, len);
	SAME_OFFSET(uring_sqe, io_uring_sqe, rw_flags);
	SAME_OFFSET(uring_sqe, io_uring_sqe, user_data);
	SAME_OFFSET(uring_sqe, io_uring_sqe, buf_index);
	SAME_OFFSET(uring_sqe, io_uring_sqe, personality);
	SAME_OFFSET(uring_sqe, io_uring_sqe, splice_fd_in);
	SAME_OFFSET(uring_sqe, io_uring_sqe, file_index);
	SAME_OFFSET(uring_sqe, io_uring_sqe, addr3);
	ck_assert_uint_eq(offsetof(struct uring_sqe, addr3), 48);
}
END_TEST

START_TEST(cqe_and_params_layout)
{
	ck_assert_uint_eq(sizeof(struct uring_cqe), sizeof(struct io_uring_cqe));
	SAME_OFFSET(uring_cqe, io_uring_cqe, res);
	SAME_OFFSET(uring_cqe, io_uring_cqe, flags);
	ck_assert_uint_eq(sizeof(struct uring_params),
			  sizeof(struct io_uring_params));
	SAME_OFFSET(uring_params, io_uring_params, wq_fd);
	SAME_OFFSET(uring_params, io_uring_params, sq_off);
	SAME_OFFSET(uring_params, io_uring_params, cq_off);
	ck_assert_uint_eq(sizeof(struct uring_buf_reg), sizeof(struct io_uring_buf_reg));
	ck_assert_uint_eq(sizeof(struct uring_buf), sizeof(struct io_uring_buf));
	ck_assert_uint_eq(sizeof(struct uring_getevents_arg),
			  sizeof(struct io_uring_getevents_arg));
	ck_assert_uint_eq(sizeof(struct uring_sync_cancel_reg),
			  sizeof(struct io_uring_sync_cancel_reg));
	ck_assert_uint_eq(sizeof(struct uring_rsrc_update2),
			  sizeof(struct io_uring_rsrc_update2));
	ck_assert_uint_eq(sizeof(struct uring_restriction),
			  sizeof(struct io_uring_restriction));
	ck_assert_uint_eq(sizeof(struct uring_recvmsg_out),
			  sizeof(struct io_uring_recvmsg_out));
}
END_TEST

START_TEST(constants_match)
{
	ck_assert_uint_eq(URING_OP_SENDMSG_ZC, IORING_OP_SENDMSG_ZC);
	ck_assert_uint_eq(URING_OP_SEND_ZC, IORING_OP_SEND_ZC);
	ck_assert_uint_eq(URING_OP_URING_CMD, IORING_OP_URING_CMD);
	ck_assert_uint_eq(URING_OP_MSG_RING, IORING_OP_MSG_RING);
	ck_assert_uint_eq(URING_SETUP_DEFER_TASKRUN, IORING_SETUP_DEFER_TASKRUN);
	ck_assert_uint_eq(URING_FEAT_LINKED_FILE, IORING_FEAT_LINKED_FILE);
	ck_assert_uint_eq(URING_REGISTER_FILE_ALLOC_RANGE,
			  IORING_REGISTER_FILE_ALLOC_RANGE);
	ck_assert_uint_eq(URING_REGISTER_PBUF_RING, IORING_REGISTER_PBUF_RING);
	ck_assert_uint_eq(URING_SQE_CQE_SKIP_SUCCESS, IOSQE_CQE_SKIP_SUCCESS);
	ck_assert_uint_eq(URING_CQE_F_NOTIF, IORING_CQE_F_NOTIF);
	ck_assert_uint_eq(URING_ENTER_REGISTERED_RING, IORING_ENTER_REGISTERED_RING);
	ck_assert_uint_eq(URING_ASYNC_CANCEL_ANY, IORING_ASYNC_CANCEL_ANY);
	ck_assert_uint_eq(URING_RECV_MULTISHOT, IORING_RECV_MULTISHOT);
}
END_TEST

/* The kernel is the final word: the probe must agree with our opcode count. */
START_TEST(opcode_count_matches_kernel)
{
	unsigned major, minor;
	int n = uring_probe_op_count();

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(uring_kernel_version(&major, &minor), 0);
	if (major > 6 || (major == 6 && minor >= 18))
		ck_assert_int_ge(n, URING_OP_LAST_6_18);
	ck_assert_int_le(URING_OP_LAST_6_18, 63);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = ut_tcase("abi", 10);

	UT_ADD(tc, sqe_layout);
	UT_ADD(tc, cqe_and_params_layout);
	UT_ADD(tc, constants_match);
	UT_ADD(tc, opcode_count_matches_kernel);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
