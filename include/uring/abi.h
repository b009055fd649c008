/* SPDX-License-Identifier: MIT */
/*
 * uring/abi.h - the io_uring kernel ABI, as of Linux 6.18, under uringloop's
 * own names.
 *
 * Why our own names: Debian 12 ships the 6.1 <linux/io_uring.h> while the
 * machines run 6.18, and the IORING_OP_* values are enum constants that
 * #ifndef cannot detect.  Carrying a copy of the header under the kernel's
 * names would clash (redefinition errors, or a silent mix of two versions
 * decided by include order) as soon as a user also includes the system
 * header.  Defining the ABI under the uring_/URING_ prefix cannot clash with
 * anything, so a program may include both.
 *
 * The mapping is mechanical, so the kernel's documentation applies as is:
 *   IORING_OP_X      -> URING_OP_X        struct io_uring_sqe  -> struct uring_sqe
 *   IORING_SETUP_X   -> URING_SETUP_X     struct io_uring_cqe  -> struct uring_cqe
 *   IOSQE_X          -> URING_SQE_X       struct io_uring_params -> struct uring_params
 *   IORING_CQE_F_X   -> URING_CQE_F_X     struct io_uring_buf_ring -> struct uring_buf_ring
 *   IORING_FEAT_X    -> URING_FEAT_X      (every io_uring_* struct -> uring_*)
 *   IORING_ENTER_X, IORING_REGISTER_X, IORING_SQ_X ... -> URING_...
 *
 * Values and layouts are the kernel's; tests/abi-test.c checks the layouts
 * against the system header for every field that header knows.  Comments give
 * the kernel version that introduced a constant.
 */
#ifndef URING_ABI_H
#define URING_ABI_H

#include <signal.h>
#include <stdint.h>

/*
 * Whether the C library declares POSIX names (sigset_t, siginfo_t,
 * idtype_t, struct addrinfo): not under strict ISO C (-std=c11 and no
 * feature-test macro).  The headers then leave out the few declarations
 * that need them, so that they still compile; every other one is there.
 * Tested after <signal.h>, whose <features.h> settles these macros.
 */
#if defined(_POSIX_C_SOURCE) || defined(_POSIX_SOURCE) ||                  \
	defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) ||                  \
	defined(_DEFAULT_SOURCE) || defined(_BSD_SOURCE)
#define URING__POSIX 1
#else
#define URING__POSIX 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* struct __kernel_timespec: 64-bit seconds on every architecture. */
struct uring_timespec {
	int64_t tv_sec;
	long long tv_nsec;
};

/* ---------------------------------------------------------------------
 * Submission queue entry (64 bytes; 128 with URING_SETUP_SQE128).
 * ------------------------------------------------------------------- */
struct uring_sqe {
	uint8_t opcode;   /* URING_OP_* */
	uint8_t flags;    /* URING_SQE_* */
	uint16_t ioprio;  /* ioprio, or per-op flags (accept, recv/send) */
	int32_t fd;
	union {
		uint64_t off;
		uint64_t addr2;
		struct {
			uint32_t cmd_op;
			uint32_t __pad1;
		};
	};
	union {
		uint64_t addr;
		uint64_t splice_off_in;
		struct {
			uint32_t level;
			uint32_t optname;
		};
	};
	uint32_t len;
	union {
		uint32_t rw_flags; /* RWF_* */
		uint32_t fsync_flags;
		uint16_t poll_events;
		uint32_t poll32_events;
		uint32_t sync_range_flags;
		uint32_t msg_flags;
		uint32_t timeout_flags;
		uint32_t accept_flags;
		uint32_t cancel_flags;
		uint32_t open_flags;
		uint32_t statx_flags;
		uint32_t fadvise_advice;
		uint32_t splice_flags;
		uint32_t rename_flags;
		uint32_t unlink_flags;
		uint32_t hardlink_flags;
		uint32_t xattr_flags;
		uint32_t msg_ring_flags;
		uint32_t uring_cmd_flags;
		uint32_t waitid_flags;
		uint32_t futex_flags;
		uint32_t install_fd_flags;
		uint32_t nop_flags;
		uint32_t pipe_flags;
	};
	uint64_t user_data;
	union {
		uint16_t buf_index; /* registered buffer index */
		uint16_t buf_group; /* provided buffer group id */
	} __attribute__((packed));
	uint16_t personality;
	union {
		int32_t splice_fd_in;
		uint32_t file_index;
		uint32_t zcrx_ifq_idx;
		uint32_t optlen;
		struct {
			uint16_t addr_len;
			uint16_t __pad3[1];
		};
	};
	union {
		struct {
			uint64_t addr3;
			uint64_t __pad2[1];
		};
		struct {
			uint64_t attr_ptr;
			uint64_t attr_type_mask;
		};
		uint64_t optval;
	};
	/* With URING_SETUP_SQE128 80 bytes of command data start at offset 48:
	 * see uring_sqe_cmd(). */
};

/* sqe->attr_type_mask (6.14) */
#define URING_RW_ATTR_FLAG_PI (1U << 0)
struct uring_attr_pi {
	uint16_t flags;
	uint16_t app_tag;
	uint32_t len;
	uint64_t addr;
	uint64_t seed;
	uint64_t rsvd;
};

/* sqe->file_index: let the kernel pick a free direct descriptor (5.19). */
#define URING_FILE_INDEX_ALLOC (~0U)

/* sqe->flags */
#define URING_SQE_FIXED_FILE (1U << 0)        /* fd is a registered file index */
#define URING_SQE_IO_DRAIN (1U << 1)          /* issue after all earlier SQEs complete */
#define URING_SQE_IO_LINK (1U << 2)           /* next SQE starts after this one succeeds */
#define URING_SQE_IO_HARDLINK (1U << 3)       /* like LINK, but survives failure */
#define URING_SQE_ASYNC (1U << 4)             /* always punt to io-wq */
#define URING_SQE_BUFFER_SELECT (1U << 5)     /* pick a buffer from sqe->buf_group */
#define URING_SQE_CQE_SKIP_SUCCESS (1U << 6)  /* no CQE on success (5.17) */

/* ---------------------------------------------------------------------
 * io_uring_setup(2) flags
 * ------------------------------------------------------------------- */
#define URING_SETUP_IOPOLL (1U << 0)
#define URING_SETUP_SQPOLL (1U << 1)
#define URING_SETUP_SQ_AFF (1U << 2)
#define URING_SETUP_CQSIZE (1U << 3)
#define URING_SETUP_CLAMP (1U << 4)
#define URING_SETUP_ATTACH_WQ (1U << 5)
#define URING_SETUP_R_DISABLED (1U << 6)       /* 5.10 */
#define URING_SETUP_SUBMIT_ALL (1U << 7)       /* 5.18 */
#define URING_SETUP_COOP_TASKRUN (1U << 8)     /* 5.19 */
#define URING_SETUP_TASKRUN_FLAG (1U << 9)     /* 5.19 */
#define URING_SETUP_SQE128 (1U << 10)          /* 5.19 */
#define URING_SETUP_CQE32 (1U << 11)           /* 5.19 */
#define URING_SETUP_SINGLE_ISSUER (1U << 12)   /* 6.0 */
#define URING_SETUP_DEFER_TASKRUN (1U << 13)   /* 6.1 */
#define URING_SETUP_NO_MMAP (1U << 14)         /* 6.5 */
#define URING_SETUP_REGISTERED_FD_ONLY (1U << 15) /* 6.5 */
#define URING_SETUP_NO_SQARRAY (1U << 16)      /* 6.6 */
#define URING_SETUP_HYBRID_IOPOLL (1U << 17)   /* 6.13 */
#define URING_SETUP_CQE_MIXED (1U << 18)       /* 6.18 */
/* Every setup flag Linux 6.18 knows. */
#define URING_SETUP_ALL_6_18 ((1U << 19) - 1)

/* ---------------------------------------------------------------------
 * Opcodes.  Linux 6.18 knows 63 of them, NOP (0) to PIPE (62).
 * ------------------------------------------------------------------- */
enum uring_op {
	URING_OP_NOP,
	URING_OP_READV,
	URING_OP_WRITEV,
	URING_OP_FSYNC,
	URING_OP_READ_FIXED,
	URING_OP_WRITE_FIXED,
	URING_OP_POLL_ADD,
	URING_OP_POLL_REMOVE,
	URING_OP_SYNC_FILE_RANGE,
	URING_OP_SENDMSG,
	URING_OP_RECVMSG,
	URING_OP_TIMEOUT,
	URING_OP_TIMEOUT_REMOVE,
	URING_OP_ACCEPT,
	URING_OP_ASYNC_CANCEL,
	URING_OP_LINK_TIMEOUT,
	URING_OP_CONNECT,
	URING_OP_FALLOCATE,
	URING_OP_OPENAT,
	URING_OP_CLOSE,
	URING_OP_FILES_UPDATE,
	URING_OP_STATX,
	URING_OP_READ,
	URING_OP_WRITE,
	URING_OP_FADVISE,
	URING_OP_MADVISE,
	URING_OP_SEND,
	URING_OP_RECV,
	URING_OP_OPENAT2,
	URING_OP_EPOLL_CTL,
	URING_OP_SPLICE,
	URING_OP_PROVIDE_BUFFERS,
	URING_OP_REMOVE_BUFFERS,
	URING_OP_TEE,
	URING_OP_SHUTDOWN,
	URING_OP_RENAMEAT,
	URING_OP_UNLINKAT,
	URING_OP_MKDIRAT,
	URING_OP_SYMLINKAT,
	URING_OP_LINKAT,
	URING_OP_MSG_RING,        /* 5.18 */
	URING_OP_FSETXATTR,
	URING_OP_SETXATTR,
	URING_OP_FGETXATTR,
	URING_OP_GETXATTR,
	URING_OP_SOCKET,          /* 5.19 */
	URING_OP_URING_CMD,
	URING_OP_SEND_ZC,         /* 6.0 */
	URING_OP_SENDMSG_ZC,      /* 6.1 */
	URING_OP_READ_MULTISHOT,  /* 6.7 */
	URING_OP_WAITID,          /* 6.7 */
	URING_OP_FUTEX_WAIT,      /* 6.7 */
	URING_OP_FUTEX_WAKE,
	URING_OP_FUTEX_WAITV,
	URING_OP_FIXED_FD_INSTALL, /* 6.8 */
	URING_OP_FTRUNCATE,       /* 6.9 */
	URING_OP_BIND,            /* 6.11 */
	URING_OP_LISTEN,          /* 6.11 */
	URING_OP_RECV_ZC,         /* 6.15 */
	URING_OP_EPOLL_WAIT,      /* 6.15 */
	URING_OP_READV_FIXED,     /* 6.15 */
	URING_OP_WRITEV_FIXED,    /* 6.15 */
	URING_OP_PIPE,            /* 6.16 */
	URING_OP_LAST_6_18        /* number of opcodes this header knows */
};

/* sqe->uring_cmd_flags */
#define URING_URING_CMD_FIXED (1U << 0)
/* sqe->fsync_flags */
#define URING_FSYNC_DATASYNC (1U << 0)

/* sqe->timeout_flags */
#define URING_TIMEOUT_ABS (1U << 0)
#define URING_TIMEOUT_UPDATE (1U << 1)
#define URING_TIMEOUT_BOOTTIME (1U << 2)
#define URING_TIMEOUT_REALTIME (1U << 3)
#define URING_LINK_TIMEOUT_UPDATE (1U << 4)
#define URING_TIMEOUT_ETIME_SUCCESS (1U << 5)
#define URING_TIMEOUT_MULTISHOT (1U << 6)  /* 6.4 */
#define URING_TIMEOUT_CLOCK_MASK (URING_TIMEOUT_BOOTTIME | URING_TIMEOUT_REALTIME)
#define URING_TIMEOUT_UPDATE_MASK (URING_TIMEOUT_UPDATE | URING_LINK_TIMEOUT_UPDATE)

/* sqe->splice_flags: splice(2) flags plus this one */
#define URING_SPLICE_F_FD_IN_FIXED (1U << 31)

/* POLL_ADD command flags live in sqe->len */
#define URING_POLL_ADD_MULTI (1U << 0)
#define URING_POLL_UPDATE_EVENTS (1U << 1)
#define URING_POLL_UPDATE_USER_DATA (1U << 2)
#define URING_POLL_ADD_LEVEL (1U << 3)

/* ASYNC_CANCEL flags (sqe->cancel_flags) */
#define URING_ASYNC_CANCEL_ALL (1U << 0)
#define URING_ASYNC_CANCEL_FD (1U << 1)
#define URING_ASYNC_CANCEL_ANY (1U << 2)
#define URING_ASYNC_CANCEL_FD_FIXED (1U << 3)
#define URING_ASYNC_CANCEL_USERDATA (1U << 4)
#define URING_ASYNC_CANCEL_OP (1U << 5)

/* send/recv flags, stored in sqe->ioprio */
#define URING_RECVSEND_POLL_FIRST (1U << 0)
#define URING_RECV_MULTISHOT (1U << 1)        /* 6.0 */
#define URING_RECVSEND_FIXED_BUF (1U << 2)
#define URING_SEND_ZC_REPORT_USAGE (1U << 3)
#define URING_RECVSEND_BUNDLE (1U << 4)       /* 6.10 */
#define URING_SEND_VECTORIZED (1U << 5)       /* 6.17 */

/* cqe->res of a zero-copy notification with URING_SEND_ZC_REPORT_USAGE */
#define URING_NOTIF_USAGE_ZC_COPIED (1U << 31)

/* accept flags, stored in sqe->ioprio */
#define URING_ACCEPT_MULTISHOT (1U << 0)      /* 5.19 */
#define URING_ACCEPT_DONTWAIT (1U << 1)       /* 6.10 */
#define URING_ACCEPT_POLL_FIRST (1U << 2)     /* 6.10 */

/* MSG_RING command, stored in sqe->addr */
enum uring_msg_ring_cmd {
	URING_MSG_DATA,    /* post a CQE with res = sqe->len, user_data = sqe->off */
	URING_MSG_SEND_FD, /* move a direct descriptor to the other ring */
};
/* sqe->msg_ring_flags */
#define URING_MSG_RING_CQE_SKIP (1U << 0)
#define URING_MSG_RING_FLAGS_PASS (1U << 1)   /* 6.3: sqe->file_index -> cqe->flags */

/* sqe->install_fd_flags */
#define URING_FIXED_FD_NO_CLOEXEC (1U << 0)

/* sqe->nop_flags */
#define URING_NOP_INJECT_RESULT (1U << 0)     /* 6.11: complete with sqe->len as res */
#define URING_NOP_FILE (1U << 1)
#define URING_NOP_FIXED_FILE (1U << 2)
#define URING_NOP_FIXED_BUFFER (1U << 3)
#define URING_NOP_TW (1U << 4)
#define URING_NOP_CQE32 (1U << 5)             /* 6.18, with CQE_MIXED */

/* ---------------------------------------------------------------------
 * Completion queue entry (16 bytes; 32 with CQE32, or when F_32 is set
 * on a CQE_MIXED ring).
 * ------------------------------------------------------------------- */
struct uring_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
	uint64_t big_cqe[];
};

#define URING_CQE_F_BUFFER (1U << 0)        /* upper 16 bits: buffer id */
#define URING_CQE_F_MORE (1U << 1)          /* multishot: still armed */
#define URING_CQE_F_SOCK_NONEMPTY (1U << 2)
#define URING_CQE_F_NOTIF (1U << 3)         /* zero-copy notification */
#define URING_CQE_F_BUF_MORE (1U << 4)      /* 6.12: incremental buffer not finished */
#define URING_CQE_F_SKIP (1U << 5)          /* 6.18: padding CQE, ignore */
#define URING_CQE_F_32 (1U << 15)           /* 6.18: this CQE is 32 bytes */
#define URING_CQE_BUFFER_SHIFT 16

/* mmap offsets */
#define URING_OFF_SQ_RING 0ULL
#define URING_OFF_CQ_RING 0x8000000ULL
#define URING_OFF_SQES 0x10000000ULL
#define URING_OFF_PBUF_RING 0x80000000ULL
#define URING_OFF_PBUF_SHIFT 16
#define URING_OFF_MMAP_MASK 0xf8000000ULL

struct uring_sqring_offsets {
	uint32_t head;
	uint32_t tail;
	uint32_t ring_mask;
	uint32_t ring_entries;
	uint32_t flags;
	uint32_t dropped;
	uint32_t array;
	uint32_t resv1;
	uint64_t user_addr; /* URING_SETUP_NO_MMAP */
};

/* sq ring flags */
#define URING_SQ_NEED_WAKEUP (1U << 0)
#define URING_SQ_CQ_OVERFLOW (1U << 1)
#define URING_SQ_TASKRUN (1U << 2)

struct uring_cqring_offsets {
	uint32_t head;
	uint32_t tail;
	uint32_t ring_mask;
	uint32_t ring_entries;
	uint32_t overflow;
	uint32_t cqes;
	uint32_t flags;
	uint32_t resv1;
	uint64_t user_addr; /* URING_SETUP_NO_MMAP */
};

/* cq ring flags */
#define URING_CQ_EVENTFD_DISABLED (1U << 0)

/* io_uring_enter(2) flags */
#define URING_ENTER_GETEVENTS (1U << 0)
#define URING_ENTER_SQ_WAKEUP (1U << 1)
#define URING_ENTER_SQ_WAIT (1U << 2)
#define URING_ENTER_EXT_ARG (1U << 3)        /* 5.11 */
#define URING_ENTER_REGISTERED_RING (1U << 4) /* 5.18 */
#define URING_ENTER_ABS_TIMER (1U << 5)      /* 6.12 */
#define URING_ENTER_EXT_ARG_REG (1U << 6)    /* 6.13 */
#define URING_ENTER_NO_IOWAIT (1U << 7)      /* 6.15 */

struct uring_params {
	uint32_t sq_entries;
	uint32_t cq_entries;
	uint32_t flags;
	uint32_t sq_thread_cpu;
	uint32_t sq_thread_idle;
	uint32_t features;
	uint32_t wq_fd;
	uint32_t resv[3];
	struct uring_sqring_offsets sq_off;
	struct uring_cqring_offsets cq_off;
};

/* features reported by io_uring_setup(2) */
#define URING_FEAT_SINGLE_MMAP (1U << 0)
#define URING_FEAT_NODROP (1U << 1)
#define URING_FEAT_SUBMIT_STABLE (1U << 2)
#define URING_FEAT_RW_CUR_POS (1U << 3)
#define URING_FEAT_CUR_PERSONALITY (1U << 4)
#define URING_FEAT_FAST_POLL (1U << 5)
#define URING_FEAT_POLL_32BITS (1U << 6)
#define URING_FEAT_SQPOLL_NONFIXED (1U << 7)
#define URING_FEAT_EXT_ARG (1U << 8)
#define URING_FEAT_NATIVE_WORKERS (1U << 9)
#define URING_FEAT_RSRC_TAGS (1U << 10)
#define URING_FEAT_CQE_SKIP (1U << 11)
#define URING_FEAT_LINKED_FILE (1U << 12)
#define URING_FEAT_REG_REG_RING (1U << 13)
#define URING_FEAT_RECVSEND_BUNDLE (1U << 14)
#define URING_FEAT_MIN_TIMEOUT (1U << 15)
#define URING_FEAT_RW_ATTR (1U << 16)
#define URING_FEAT_NO_IOWAIT (1U << 17)

/* ---------------------------------------------------------------------
 * io_uring_register(2)
 * ------------------------------------------------------------------- */
enum uring_register_op {
	URING_REGISTER_BUFFERS = 0,
	URING_UNREGISTER_BUFFERS = 1,
	URING_REGISTER_FILES = 2,
	URING_UNREGISTER_FILES = 3,
	URING_REGISTER_EVENTFD = 4,
	URING_UNREGISTER_EVENTFD = 5,
	URING_REGISTER_FILES_UPDATE = 6,
	URING_REGISTER_EVENTFD_ASYNC = 7,
	URING_REGISTER_PROBE = 8,
	URING_REGISTER_PERSONALITY = 9,
	URING_UNREGISTER_PERSONALITY = 10,
	URING_REGISTER_RESTRICTIONS = 11,
	URING_REGISTER_ENABLE_RINGS = 12,
	URING_REGISTER_FILES2 = 13,
	URING_REGISTER_FILES_UPDATE2 = 14,
	URING_REGISTER_BUFFERS2 = 15,
	URING_REGISTER_BUFFERS_UPDATE = 16,
	URING_REGISTER_IOWQ_AFF = 17,
	URING_UNREGISTER_IOWQ_AFF = 18,
	URING_REGISTER_IOWQ_MAX_WORKERS = 19,
	URING_REGISTER_RING_FDS = 20,
	URING_UNREGISTER_RING_FDS = 21,
	URING_REGISTER_PBUF_RING = 22,
	URING_UNREGISTER_PBUF_RING = 23,
	URING_REGISTER_SYNC_CANCEL = 24,
	URING_REGISTER_FILE_ALLOC_RANGE = 25,
	URING_REGISTER_PBUF_STATUS = 26,
	URING_REGISTER_NAPI = 27,
	URING_UNREGISTER_NAPI = 28,
	URING_REGISTER_CLOCK = 29,
	URING_REGISTER_CLONE_BUFFERS = 30,
	URING_REGISTER_SEND_MSG_RING = 31,
	URING_REGISTER_ZCRX_IFQ = 32,
	URING_REGISTER_RESIZE_RINGS = 33,
	URING_REGISTER_MEM_REGION = 34,
	URING_REGISTER_QUERY = 35,
	URING_REGISTER_LAST_6_18,
};
/* or-ed into the opcode: the fd argument is a registered ring index (a
 * macro: ISO C enumerators are ints, and this bit is above INT_MAX) */
#define URING_REGISTER_USE_REGISTERED_RING (1U << 31)

/* io-wq worker categories (max workers) */
enum uring_wq_type {
	URING_WQ_BOUND,
	URING_WQ_UNBOUND,
};

#define URING_RSRC_REGISTER_SPARSE (1U << 0)

struct uring_rsrc_register {
	uint32_t nr;
	uint32_t flags;
	uint64_t resv2;
	uint64_t data __attribute__((aligned(8)));
	uint64_t tags __attribute__((aligned(8)));
};

struct uring_rsrc_update {
	uint32_t offset;
	uint32_t resv;
	uint64_t data __attribute__((aligned(8)));
};

struct uring_rsrc_update2 {
	uint32_t offset;
	uint32_t resv;
	uint64_t data __attribute__((aligned(8)));
	uint64_t tags __attribute__((aligned(8)));
	uint32_t nr;
	uint32_t resv2;
};

/* an fd of -2 in a files update leaves that slot alone */
#define URING_REGISTER_FILES_SKIP (-2)

#define URING_PROBE_OP_SUPPORTED (1U << 0)

struct uring_probe_op {
	uint8_t op;
	uint8_t resv;
	uint16_t flags; /* URING_PROBE_OP_SUPPORTED */
	uint32_t resv2;
};

struct uring_probe {
	uint8_t last_op;
	uint8_t ops_len;
	uint16_t resv;
	uint32_t resv2[3];
	struct uring_probe_op ops[];
};

struct uring_restriction {
	uint16_t opcode; /* URING_RESTRICTION_* */
	union {
		uint8_t register_op;
		uint8_t sqe_op;
		uint8_t sqe_flags;
	};
	uint8_t resv;
	uint32_t resv2[3];
};

enum uring_restriction_kind {
	URING_RESTRICTION_REGISTER_OP = 0,
	URING_RESTRICTION_SQE_OP = 1,
	URING_RESTRICTION_SQE_FLAGS_ALLOWED = 2,
	URING_RESTRICTION_SQE_FLAGS_REQUIRED = 3,
	URING_RESTRICTION_LAST
};

struct uring_clock_register {
	uint32_t clockid;
	uint32_t __resv[3];
};

#define URING_REGISTER_SRC_REGISTERED (1U << 0)
#define URING_REGISTER_DST_REPLACE (1U << 1)

struct uring_clone_buffers {
	uint32_t src_fd;
	uint32_t flags;
	uint32_t src_off;
	uint32_t dst_off;
	uint32_t nr;
	uint32_t pad[3];
};

/* Provided buffer rings (5.19) */
struct uring_buf {
	uint64_t addr;
	uint32_t len;
	uint16_t bid;
	uint16_t resv;
};

/* The ring's tail overlays bufs[0].resv, so entry 0 is still usable. */
struct uring_buf_ring {
	union {
		struct {
			uint64_t resv1;
			uint32_t resv2;
			uint16_t resv3;
			uint16_t tail;
		};
		/* the kernel's layout; C has no flexible array in a union */
		__extension__ struct uring_buf bufs[0];
	};
};

#define URING_PBUF_RING_MMAP 1U /* kernel allocates the ring; mmap it */
#define URING_PBUF_RING_INC 2U  /* 6.12: incremental consumption */

struct uring_buf_reg {
	uint64_t ring_addr;
	uint32_t ring_entries;
	uint16_t bgid;
	uint16_t flags;
	uint64_t resv[3];
};

struct uring_buf_status {
	uint32_t buf_group; /* in */
	uint32_t head;      /* out */
	uint32_t resv[8];
};

/* NAPI busy poll (6.9; opcode and op_param 6.13) */
enum uring_napi_op {
	URING_NAPI_REGISTER_OP = 0,
	URING_NAPI_STATIC_ADD_ID = 1,
	URING_NAPI_STATIC_DEL_ID = 2,
};

enum uring_napi_tracking {
	URING_NAPI_TRACKING_DYNAMIC = 0,
	URING_NAPI_TRACKING_STATIC = 1,
	URING_NAPI_TRACKING_INACTIVE = 255,
};

struct uring_napi {
	uint32_t busy_poll_to;
	uint8_t prefer_busy_poll;
	uint8_t opcode;
	uint8_t pad[2];
	uint32_t op_param;
	uint32_t resv;
};

/* Registered wait regions (6.13) */
#define URING_MEM_REGION_TYPE_USER 1U
#define URING_MEM_REGION_REG_WAIT_ARG 1U
#define URING_REG_WAIT_TS (1U << 0)

struct uring_region_desc {
	uint64_t user_addr;
	uint64_t size;
	uint32_t flags;
	uint32_t id;
	uint64_t mmap_offset;
	uint64_t __resv[4];
};

struct uring_mem_region_reg {
	uint64_t region_uptr;
	uint64_t flags;
	uint64_t __resv[2];
};

struct uring_reg_wait {
	struct uring_timespec ts;
	uint32_t min_wait_usec;
	uint32_t flags;
	uint64_t sigmask;
	uint32_t sigmask_sz;
	uint32_t pad[3];
	uint64_t pad2[2];
};

/* argument of io_uring_enter(2) with URING_ENTER_EXT_ARG */
struct uring_getevents_arg {
	uint64_t sigmask;
	uint32_t sigmask_sz;
	uint32_t min_wait_usec; /* 6.12 */
	uint64_t ts;
};

struct uring_sync_cancel_reg {
	uint64_t addr;
	int32_t fd;
	uint32_t flags;
	struct uring_timespec timeout;
	uint8_t opcode;
	uint8_t pad[7];
	uint64_t pad2[3];
};

struct uring_file_index_range {
	uint32_t off;
	uint32_t len;
	uint64_t resv;
};

/* Header a multishot recvmsg writes at the start of each buffer. */
struct uring_recvmsg_out {
	uint32_t namelen;
	uint32_t controllen;
	uint32_t payloadlen;
	uint32_t flags;
};

/* URING_OP_URING_CMD on a socket: cmd_op values */
enum uring_socket_op {
	URING_SOCKET_OP_SIOCINQ = 0,
	URING_SOCKET_OP_SIOCOUTQ,
	URING_SOCKET_OP_GETSOCKOPT,
	URING_SOCKET_OP_SETSOCKOPT,
	URING_SOCKET_OP_TX_TIMESTAMP, /* 6.15 */
};

/* URING_REGISTER_QUERY (6.18) */
struct uring_query_hdr {
	uint64_t next_entry;
	uint64_t query_data;
	uint32_t query_op;
	uint32_t size;
	int32_t result;
	uint32_t __resv[3];
};

enum uring_query_op {
	URING_QUERY_OPCODES = 0,
};

struct uring_query_opcode {
	uint32_t nr_request_opcodes;
	uint32_t nr_register_opcodes;
	uint64_t feature_flags;
	uint64_t ring_setup_flags;
	uint64_t enter_flags;
	uint64_t sqe_flags;
};

#ifdef __cplusplus
}
#endif

#endif /* URING_ABI_H */
