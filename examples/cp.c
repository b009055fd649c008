/* SPDX-License-Identifier: MIT */
/*
 * cp: copy a file through uringloop's file-system requests.
 *
 *   cp SRC DST
 *
 * Every step is a request on the loop, each started from the callback of
 * the one before:
 *   statx SRC (type, mode, size) -> open SRC -> open DST (created with
 *   SRC's mode) -> uring_fs_copy() (splices through pipes, several chunks
 *   in flight, no byte through user space) -> fsync DST, then close DST,
 *   then close SRC: one linked chain, so a failed fsync cancels the close
 *   of DST and the error is reported rather than lost.
 * A regular DST gets SRC's permission bits exactly (the umask does not
 * apply), as `cp -p` would for the mode.  Errors name the file and the step.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uring/fs.h>

struct cp {
	struct uring_loop loop;
	const char *src, *dst;
	int in, out;
	mode_t mode;
	uint64_t size;
	struct uring_fs req;    /* statx, the opens, the copy */
	struct uring_fs fin[3]; /* fsync DST, close DST, close SRC */
	int fin_results[3];
	bool fin_queued;        /* the chain above is in flight */
	int status;             /* exit status */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cp SRC DST\n"
		   "Copies the regular file SRC to DST (created or replaced) "
		   "with SRC's\npermission bits, through io_uring: splice "
		   "through pipes, several chunks\nin flight, then fsync.\n");
}

static void fail(struct cp *c, const char *what, const char *path, int err)
{
	fprintf(stderr, "cp: %s '%s': %s\n", what, path, strerror(-err));
	c->status = 1;
}

static void finished(struct uring_fs *req, int result)
{
	int *slot = req->data;

	*slot = result;
}

/* fsync DST -> close DST -> close SRC, linked: the closes run only if the
 * sync succeeded, so its error cannot be lost. */
static void finish(struct cp *c)
{
	int i;

	memset(c->fin, 0, sizeof(c->fin));
	for (i = 0; i < 3; i++) {
		c->fin[i].data = &c->fin_results[i];
		c->fin[i].flags = i < 2 ? URING_FS_LINK : 0;
		c->fin_results[i] = 1; /* not called back yet */
	}
	/* Three calls in a row: nothing else may take an SQE in between,
	 * or it would join the chain.  They fail only for lack of memory or
	 * SQ room, and then main() closes the files. */
	c->fin_queued = !uring_fs_fsync(&c->loop, &c->fin[0], c->out, finished) &&
			!uring_fs_close(&c->loop, &c->fin[1], c->out, finished) &&
			!uring_fs_close(&c->loop, &c->fin[2], c->in, finished);
	if (!c->fin_queued) {
		fprintf(stderr, "cp: cannot queue the final sync of '%s'\n",
			c->dst);
		c->status = 1;
	}
}

/* After the loop ran: report the final chain, close what it did not. */
static void report_finish(struct cp *c)
{
	if (!c->fin_queued)
		return;
	if (c->fin_results[0] < 0) {
		fail(c, "cannot sync", c->dst, c->fin_results[0]);
		close(c->out); /* both closes were cancelled */
		close(c->in);
		return;
	}
	if (c->fin_results[1] < 0)
		fail(c, "cannot close", c->dst, c->fin_results[1]);
	if (c->fin_results[2] < 0)
		fail(c, "cannot close", c->src, c->fin_results[2]);
}

static void changed(struct cp *c, int64_t got)
{
	fprintf(stderr, "cp: '%s' changed while copying (%lld of %llu bytes)\n",
		c->src, (long long)got, (unsigned long long)c->size);
	c->status = 1;
}

static void copied(struct uring_fs *req, int64_t result)
{
	struct cp *c = req->data;

	if (result < 0)
		fail(c, "cannot copy to", c->dst, (int)result);
	else if ((uint64_t)result != c->size)
		changed(c, result);
	finish(c);
}

static void dst_opened(struct uring_fs *req, int result)
{
	struct cp *c = req->data;
	struct stat st;
	int ret;

	if (result < 0) {
		fail(c, "cannot create", c->dst, result);
		close(c->in);
		return;
	}
	c->out = result;
	/* open(2) applied the umask: give DST exactly SRC's bits (a
	 * regular file only: never chmod a device such as /dev/null) */
	if (fstat(c->out, &st) == 0 && S_ISREG(st.st_mode) &&
	    fchmod(c->out, c->mode) < 0)
		fail(c, "cannot set the mode of", c->dst, -errno);
	ret = uring_fs_copy(&c->loop, req, c->out, 0, c->in, 0, c->size,
			    copied);
	if (ret) {
		fail(c, "cannot start copying to", c->dst, ret);
		finish(c);
	}
}

static void src_opened(struct uring_fs *req, int result)
{
	struct cp *c = req->data;
	int ret;

	if (result < 0) {
		fail(c, "cannot open", c->src, result);
		return;
	}
	c->in = result;
	ret = uring_fs_open(&c->loop, req, c->dst,
			    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, c->mode,
			    dst_opened);
	if (ret) {
		fail(c, "cannot create", c->dst, ret);
		close(c->in);
	}
}

static void src_statted(struct uring_fs *req, int result)
{
	struct cp *c = req->data;
	int ret;

	if (result < 0) {
		fail(c, "cannot stat", c->src, result);
		return;
	}
	if (!S_ISREG(req->statx.stx_mode)) {
		fprintf(stderr, "cp: '%s' is not a regular file\n", c->src);
		c->status = 1;
		return;
	}
	c->mode = req->statx.stx_mode & 07777;
	c->size = req->statx.stx_size;
	ret = uring_fs_open(&c->loop, req, c->src, O_RDONLY | O_CLOEXEC, 0,
			    src_opened);
	if (ret)
		fail(c, "cannot open", c->src, ret);
}

int main(int argc, char **argv)
{
	static struct cp c;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	c.src = argv[1];
	c.dst = argv[2];
	c.in = c.out = -1;
	ret = uring_loop_init(&c.loop, NULL);
	if (ret) {
		fprintf(stderr, "cp: %s\n", uring_setup_strerror(ret));
		return 1;
	}
	c.req.data = &c;
	ret = uring_fs_statx(&c.loop, &c.req, AT_FDCWD, c.src, 0,
			     STATX_TYPE | STATX_MODE | STATX_SIZE, src_statted);
	if (ret)
		fail(&c, "cannot stat", c.src, ret);
	ret = uring_loop_run(&c.loop, URING_RUN_DEFAULT);
	if (ret < 0) {
		fprintf(stderr, "cp: %s\n", uring_strerror(ret));
		c.status = 1;
	}
	if (c.fin_queued)
		report_finish(&c);
	else if (c.out >= 0) { /* the copy never got to its final chain */
		close(c.out);
		close(c.in);
	}
	uring_loop_close(&c.loop);
	return c.status;
}
