/* SPDX-License-Identifier: MIT */
/*
 * runtime/core/restrict.c - the `restricted` loop option: lock the ring, before
 * it is enabled, to the operations the loop's own API uses
 * (IORING_REGISTER_RESTRICTIONS).  Whatever else reaches the ring - a
 * request built by hand with an opcode outside this list, or code that got
 * hold of the ring - completes with -EACCES.  The lists change only when
 * the loop learns a new operation.
 */
#include <string.h>

#include <uring/register.h>

#include "loop-internal.h"

/* Opcodes the loop's handles and requests prepare (timers need none). */
static const uint8_t sqe_ops[] = {
	URING_OP_NOP,          URING_OP_READV,        URING_OP_WRITEV,
	URING_OP_FSYNC,        URING_OP_READ_FIXED,   URING_OP_WRITE_FIXED,
	URING_OP_POLL_ADD,     URING_OP_POLL_REMOVE,  URING_OP_SYNC_FILE_RANGE,
	URING_OP_SENDMSG,      URING_OP_RECVMSG,      URING_OP_TIMEOUT,
	URING_OP_ACCEPT,       URING_OP_ASYNC_CANCEL, URING_OP_LINK_TIMEOUT,
	URING_OP_CONNECT,      URING_OP_FALLOCATE,    URING_OP_OPENAT,
	URING_OP_CLOSE,        URING_OP_STATX,        URING_OP_READ,
	URING_OP_WRITE,        URING_OP_FADVISE,      URING_OP_MADVISE,
	URING_OP_SEND,         URING_OP_RECV,         URING_OP_OPENAT2,
	URING_OP_SPLICE,       URING_OP_TEE,          URING_OP_SHUTDOWN,
	URING_OP_RENAMEAT,     URING_OP_UNLINKAT,     URING_OP_MKDIRAT,
	URING_OP_SYMLINKAT,    URING_OP_LINKAT,       URING_OP_MSG_RING,
	URING_OP_FSETXATTR,    URING_OP_SETXATTR,     URING_OP_FGETXATTR,
	URING_OP_GETXATTR,     URING_OP_SEND_ZC,      URING_OP_SENDMSG_ZC,
	URING_OP_WAITID,       URING_OP_FTRUNCATE,
};

/* Register calls the loop makes after it is enabled, and the ones its
 * file API expects users to make (fixed buffers and files). */
static const uint8_t register_ops[] = {
	URING_REGISTER_EVENTFD,       URING_UNREGISTER_EVENTFD,
	URING_REGISTER_RING_FDS,      URING_UNREGISTER_RING_FDS,
	URING_REGISTER_PBUF_RING,     URING_UNREGISTER_PBUF_RING,
	URING_REGISTER_PROBE,         URING_REGISTER_BUFFERS,
	URING_UNREGISTER_BUFFERS,     URING_REGISTER_BUFFERS2,
	URING_REGISTER_FILES,         URING_UNREGISTER_FILES,
	URING_REGISTER_FILES2,        URING_REGISTER_FILES_UPDATE,
	URING_REGISTER_FILES_UPDATE2, URING_REGISTER_FILE_ALLOC_RANGE,
	URING_REGISTER_IOWQ_AFF,      URING_UNREGISTER_IOWQ_AFF,
};

#define N_SQE (sizeof(sqe_ops) / sizeof(sqe_ops[0]))
#define N_REG (sizeof(register_ops) / sizeof(register_ops[0]))

int uring__loop_restrict(struct uring_loop *loop)
{
	struct uring_restriction res[N_SQE + N_REG + 1];
	struct uring_probe *probe;
	unsigned i, n = 0;
	int ret;

	/* The kernel refuses the whole set (-EINVAL) if it names an opcode
	 * it does not know (WAITID, FTRUNCATE before 6.9): list only what
	 * the probe reports.  What is left out could not run here anyway. */
	ret = uring_probe_get(&loop->ring, &probe);
	if (ret)
		return ret;
	memset(res, 0, sizeof(res));
	for (i = 0; i < N_SQE; i++) {
		if (!uring_probe_supports(probe, sqe_ops[i]))
			continue;
		res[n].opcode = URING_RESTRICTION_SQE_OP;
		res[n].sqe_op = sqe_ops[i];
		n++;
	}
	uring_probe_free(probe);
	for (i = 0; i < N_REG; i++, n++) {
		res[n].opcode = URING_RESTRICTION_REGISTER_OP;
		res[n].register_op = register_ops[i];
	}
	/* every SQE flag the loop or a request may set */
	res[n].opcode = URING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[n].sqe_flags = URING_SQE_FIXED_FILE | URING_SQE_IO_DRAIN |
			   URING_SQE_IO_LINK | URING_SQE_IO_HARDLINK |
			   URING_SQE_ASYNC | URING_SQE_BUFFER_SELECT |
			   URING_SQE_CQE_SKIP_SUCCESS;
	n++;
	return uring_register_restrictions(&loop->ring, res, n);
}
