/* SPDX-License-Identifier: MIT */
/*
 * cat: print files through uringloop's file-system requests.
 *
 *   cat [FILE...]     FILE "-" or no FILE: standard input
 *
 * One request at a time, each started from the callback of the one before:
 * open a file, read a block, write it to standard output (again until all
 * of it is written: a pipe or terminal may take less), read the next
 * block, ..., close the file, open the next.  Files are read at explicit
 * offsets; standard input at its position (offset -1), which is what works
 * for pipes and terminals.  A file that cannot be opened or read is
 * reported and skipped, as cat(1) does; a failed write ends the program.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uring/fs.h>

#define BLOCK (128 * 1024)

struct cat {
	struct uring_loop loop;
	struct uring_fs req;
	char **files;
	int nfiles, next;  /* files[next] is the next to open */
	const char *name;  /* the file being printed */
	int fd;
	int64_t pos;       /* read offset, or -1 for standard input */
	unsigned len, written;
	int status;
	char buf[BLOCK];
};

static void open_next(struct cat *c);
static void read_next(struct cat *c);

static void complain(struct cat *c, const char *what, int err)
{
	fprintf(stderr, "cat: %s%s: %s\n", what, c->name, strerror(-err));
	c->status = 1;
}

static void closed(struct uring_fs *req, int result)
{
	struct cat *c = req->data;

	if (result < 0)
		complain(c, "close ", result);
	open_next(c);
}

/* Done with the current file (or it failed): close it, then go on. */
static void done_with_file(struct cat *c)
{
	int ret;

	if (c->fd == STDIN_FILENO) {
		open_next(c);
		return;
	}
	ret = uring_fs_close(&c->loop, &c->req, c->fd, closed);
	if (ret) {
		close(c->fd);
		open_next(c);
	}
}

static void wrote(struct uring_fs *req, int result)
{
	struct cat *c = req->data;
	int ret;

	if (result <= 0) {
		fprintf(stderr, "cat: write error: %s\n",
			strerror(result ? -result : EIO));
		c->status = 1;
		return; /* nothing more is queued: the loop ends */
	}
	c->written += (unsigned)result;
	if (c->written < c->len) {
		ret = uring_fs_write(&c->loop, req, STDOUT_FILENO,
				     c->buf + c->written, c->len - c->written,
				     -1, wrote);
		if (ret)
			complain(c, "write ", ret);
		return;
	}
	if (c->pos >= 0)
		c->pos += c->len;
	read_next(c);
}

static void got_block(struct uring_fs *req, int result)
{
	struct cat *c = req->data;
	int ret;

	if (result <= 0) {
		if (result < 0)
			complain(c, "", result);
		done_with_file(c);
		return;
	}
	c->len = (unsigned)result;
	c->written = 0;
	ret = uring_fs_write(&c->loop, req, STDOUT_FILENO, c->buf, c->len, -1,
			     wrote);
	if (ret)
		complain(c, "write ", ret);
}

static void read_next(struct cat *c)
{
	int ret = uring_fs_read(&c->loop, &c->req, c->fd, c->buf, BLOCK, c->pos,
				got_block);

	if (ret) {
		complain(c, "", ret);
		done_with_file(c);
	}
}

static void opened(struct uring_fs *req, int result)
{
	struct cat *c = req->data;

	if (result < 0) {
		complain(c, "", result);
		open_next(c);
		return;
	}
	c->fd = result;
	c->pos = 0;
	read_next(c);
}

static void open_next(struct cat *c)
{
	int ret;

	if (c->next == c->nfiles)
		return; /* nothing queued any more: uring_loop_run() returns */
	c->name = c->files[c->next++];
	if (!strcmp(c->name, "-")) {
		c->fd = STDIN_FILENO;
		c->pos = -1;
		read_next(c);
		return;
	}
	ret = uring_fs_open(&c->loop, &c->req, c->name, O_RDONLY | O_CLOEXEC, 0,
			    opened);
	if (ret) {
		complain(c, "", ret);
		open_next(c);
	}
}

int main(int argc, char **argv)
{
	static char *stdin_only[] = {"-"};
	static struct cat c;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: cat [FILE...]\nPrints each FILE (\"-\" or none: "
		       "standard input) through io_uring.\n");
		return 0;
	}
	c.files = argc > 1 ? argv + 1 : stdin_only;
	c.nfiles = argc > 1 ? argc - 1 : 1;
	ret = uring_loop_init(&c.loop, NULL);
	if (ret) {
		fprintf(stderr, "cat: %s\n", uring_setup_strerror(ret));
		return 1;
	}
	c.req.data = &c;
	open_next(&c);
	ret = uring_loop_run(&c.loop, URING_RUN_DEFAULT);
	if (ret < 0) {
		fprintf(stderr, "cat: %s\n", uring_strerror(ret));
		c.status = 1;
	}
	uring_loop_close(&c.loop);
	return c.status;
}
