/* SPDX-License-Identifier: MIT */
/*
 * uring/work.h - blocking work off the loop thread: a worker pool that
 * belongs to the loop, name resolution on it, and waiting for children.
 *
 * Each loop has its own pool of worker threads (uring_loop_options.
 * worker_threads, default 4), started on first use and joined by
 * uring_loop_close().  A job is a request in caller memory: its work
 * callback runs on a worker thread, its completion callback on the loop
 * thread.  Outstanding jobs keep the loop alive and make uring_loop_close()
 * return -EBUSY.  Finished jobs reach the loop through its eventfd wakeup,
 * many per wakeup.  Guide: docs/guide/blocking-work.md.
 *
 * Every function is called on the loop's thread; only work callbacks run
 * elsewhere.  uring_getaddrinfo() and uring_child_wait() need POSIX types
 * (struct addrinfo, siginfo_t, idtype_t): under strict ISO C (-std=c11
 * with no feature-test macro) they are left out; -std=gnu11, or
 * _POSIX_C_SOURCE 200809L before the first #include, brings them.
 */
#ifndef URING_WORK_H
#define URING_WORK_H

#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <uring/loop.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* ---------------------------------------------------------------------
 * Work on the loop's pool
 * ------------------------------------------------------------------- */
struct uring_work;
/* Runs on a worker thread: may block.  Must not call the loop. */
typedef void (*uring_work_cb)(struct uring_work *req);
/* Runs on the loop thread: status 0, or -ECANCELED (work_cb never ran).
 * The request may be freed or queued again from here. */
typedef void (*uring_after_work_cb)(struct uring_work *req, int status);

struct uring_work {
	void *data; /* the user's */
	/* private */
	struct uring_loop *loop;
	uring_work_cb work_cb;
	uring_after_work_cb after_work_cb;
	struct uring_list node;       /* the pool's queue */
	struct uring_work *done_next; /* the pool's finished stack */
	int state;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* Run work_cb on the pool, then after_work_cb (may be NULL) on the loop. */
int uring_work_queue(struct uring_loop *loop, struct uring_work *req,
		     uring_work_cb work_cb, uring_after_work_cb after_work_cb);
/* Cancel a job that has not started: its after_work_cb gets -ECANCELED.
 * -EBUSY once work_cb has started, -EALREADY if nothing is outstanding
 * (already cancelled, or its after_work_cb ran). */
int uring_work_cancel(struct uring_work *req);

/* ---------------------------------------------------------------------
 * Name resolution on the pool
 *
 * Status: 0, -ECANCELED, a negative errno (EAI_SYSTEM: the errno; EAI_MEMORY
 * is -ENOMEM), or one of URING_EAI_* below (distinct from every errno);
 * uring_gai_strerror() describes any of them.
 * ------------------------------------------------------------------- */
#define URING_EAI_ADDRFAMILY (-3000) /* EAI_ADDRFAMILY */
#define URING_EAI_AGAIN (-3001)      /* temporary failure: try later */
#define URING_EAI_BADFLAGS (-3002)
#define URING_EAI_FAIL (-3003)       /* permanent resolver failure */
#define URING_EAI_FAMILY (-3004)
#define URING_EAI_NODATA (-3005)     /* the name has no address */
#define URING_EAI_NONAME (-3006)     /* unknown name or service */
#define URING_EAI_OVERFLOW (-3007)
#define URING_EAI_SERVICE (-3008)
#define URING_EAI_SOCKTYPE (-3009)

/* Room for the strings a request keeps (NI_MAXHOST, NI_MAXSERV). */
#define URING_GAI_HOST_MAX 1025
#define URING_GAI_SERV_MAX 32

#if URING__POSIX /* struct addrinfo */
struct uring_getaddrinfo;
/* res: the list (free it with uring_freeaddrinfo()) when status is 0, else
 * NULL. */
typedef void (*uring_getaddrinfo_cb)(struct uring_getaddrinfo *req,
				     int status, struct addrinfo *res);

struct uring_getaddrinfo {
	void *data; /* the user's */
	/* private */
	struct uring_work work;
	uring_getaddrinfo_cb cb;
	struct addrinfo hints;
	struct addrinfo *res;
	int status;
	unsigned char has; /* which of node, service, hints were given */
	char node[URING_GAI_HOST_MAX];
	char service[URING_GAI_SERV_MAX];
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* getaddrinfo(3) on the pool.  node and service are copied (-ENAMETOOLONG
 * if longer than the request holds); one of them may be NULL. */
int uring_getaddrinfo(struct uring_loop *loop, struct uring_getaddrinfo *req,
		      uring_getaddrinfo_cb cb, const char *node,
		      const char *service, const struct addrinfo *hints);
int uring_getaddrinfo_cancel(struct uring_getaddrinfo *req);
void uring_freeaddrinfo(struct addrinfo *res);
#endif

struct uring_getnameinfo;
/* host and service: NUL-terminated strings when status is 0, else NULL. */
typedef void (*uring_getnameinfo_cb)(struct uring_getnameinfo *req,
				     int status, const char *host,
				     const char *service);

struct uring_getnameinfo {
	void *data; /* the user's */
	/* private */
	struct uring_work work;
	uring_getnameinfo_cb cb;
	struct sockaddr_storage addr;
	int flags;
	int status;
	char host[URING_GAI_HOST_MAX];
	char service[URING_GAI_SERV_MAX];
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/* getnameinfo(3) on the pool for an AF_INET or AF_INET6 address (copied);
 * flags are NI_*. */
int uring_getnameinfo(struct uring_loop *loop, struct uring_getnameinfo *req,
		      uring_getnameinfo_cb cb, const struct sockaddr *addr,
		      int flags);
int uring_getnameinfo_cancel(struct uring_getnameinfo *req);
/* Text for a status of the calls above, or any uringloop error. */
const char *uring_gai_strerror(int status);

/* ---------------------------------------------------------------------
 * Waiting for a child to change state
 * ------------------------------------------------------------------- */
#if URING__POSIX /* siginfo_t, idtype_t, id_t */
struct uring_child;
/* status: 0 with info filled in (si_pid, si_code CLD_EXITED / CLD_KILLED /
 * CLD_DUMPED / CLD_STOPPED / CLD_CONTINUED, si_status the exit code or the
 * signal), or a negative errno (-ECHILD, -ECANCELED, ...) and info NULL. */
typedef void (*uring_child_cb)(struct uring_child *req, int status,
			       const siginfo_t *info);

/* uring_child_wait() flags */
#define URING_CHILD_KERNEL (1U << 0) /* IORING_OP_WAITID or -EOPNOTSUPP */
#define URING_CHILD_POOL (1U << 1)   /* waitid(2) on the worker pool */

struct uring_child {
	void *data; /* the user's */
	/* private */
	union {
		struct uring_req req;   /* IORING_OP_WAITID */
		struct uring_work work; /* waitid(2) on the pool */
	} u;
	uring_child_cb cb;
	siginfo_t info;
	idtype_t idtype;
	id_t id;
	int options;
	int result;
	unsigned flags;
	void *reserved[2]; /* room to grow without an ABI break (docs/ABI.md) */
};

/*
 * waitid(2) as a request: idtype P_PID, P_PGID, P_ALL or P_PIDFD, options
 * WEXITED (the default when 0), WSTOPPED, WCONTINUED, WNOWAIT (not WNOHANG).
 * Runs as IORING_OP_WAITID (Linux 6.7) where the kernel has it, else
 * waitid(2) on a worker thread (which it occupies until the child changes
 * state); flags choose one way only.
 */
int uring_child_wait(struct uring_loop *loop, struct uring_child *req,
		     idtype_t idtype, id_t id, int options, unsigned flags,
		     uring_child_cb cb);
/* The callback then gets -ECANCELED; -EBUSY if a worker is already inside
 * waitid(2), -EALREADY if nothing is outstanding. */
int uring_child_cancel(struct uring_child *req);
#endif

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* URING_WORK_H */
