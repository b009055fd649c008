/* SPDX-License-Identifier: MIT */
/*
 * ring-cp: copy a file through uringloop's ring layer, with many reads and
 * writes in flight, and say what it did.
 *
 *   ring-cp SRC DST      copy SRC to DST
 *   ring-cp              demo: make a 64 MiB file in $TMPDIR, copy it,
 *                        check the copy byte for byte, remove both
 *
 * Each block is read, and when its read completes, written at the same
 * offset; QUEUE_DEPTH blocks are in flight at once.  One
 * uring_ring_submit_and_wait() per round both submits the new SQEs and waits
 * for at least one completion, so the program makes few syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uring/ring.h>

#define QUEUE_DEPTH 16
#define BLOCK_SIZE (128 * 1024)
#define DEMO_SIZE (64u << 20)

struct block {
	char *buf;
	off_t offset;
	unsigned len;
	unsigned done;  /* bytes of the current phase completed */
	bool writing;
};

struct copy {
	struct uring_ring ring;
	int in, out;
	off_t size, next_offset;
	struct block blocks[QUEUE_DEPTH];
	unsigned reads, writes, rounds, inflight;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ring-cp [SRC DST]\n"
		   "Copies SRC to DST through io_uring with %d blocks of %d KiB "
		   "in flight.\nWithout arguments, copies a %u MiB demo file "
		   "in $TMPDIR and checks the copy.\n",
		QUEUE_DEPTH, BLOCK_SIZE / 1024, DEMO_SIZE >> 20);
}

/* Queue the next step of a block: its (remaining) read or write. */
static void queue_block(struct copy *c, struct block *b)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(&c->ring);

	/* The SQ has QUEUE_DEPTH entries and each block has at most one
	 * operation in flight, so an SQE is always available. */
	if (b->writing) {
		uring_prep_write(sqe, c->out, b->buf + b->done, b->len - b->done,
				 (uint64_t)(b->offset + b->done));
		c->writes++;
	} else {
		uring_prep_read(sqe, c->in, b->buf + b->done, b->len - b->done,
				(uint64_t)(b->offset + b->done));
		c->reads++;
	}
	uring_cqe_set_data(sqe, b);
	c->inflight++;
}

/* Give an idle block the next range of the file; false when none is left. */
static bool start_block(struct copy *c, struct block *b)
{
	if (c->next_offset >= c->size)
		return false;
	b->offset = c->next_offset;
	b->len = (unsigned)((c->size - b->offset < BLOCK_SIZE)
				    ? c->size - b->offset
				    : BLOCK_SIZE);
	b->done = 0;
	b->writing = false;
	c->next_offset += b->len;
	queue_block(c, b);
	return true;
}

/* One completion: continue a short transfer, switch to writing, or retire
 * the block and start the next range. */
static int complete(struct copy *c, struct block *b, int res)
{
	c->inflight--;
	if (res < 0)
		return res;
	if (res == 0 && !b->writing)
		return -EIO; /* the file shrank under us */
	b->done += (unsigned)res;
	if (b->done < b->len) {
		queue_block(c, b);
	} else if (!b->writing) {
		b->writing = true;
		b->done = 0;
		queue_block(c, b);
	} else {
		start_block(c, b);
	}
	return 0;
}

static int run_copy(struct copy *c)
{
	unsigned i;

	for (i = 0; i < QUEUE_DEPTH; i++)
		if (!start_block(c, &c->blocks[i]))
			break;
	while (c->inflight) {
		struct uring_cqe *cqe;
		unsigned head, seen = 0;
		int ret = uring_ring_submit_and_wait(&c->ring, 1);

		c->rounds++;
		if (ret < 0)
			return ret;
		uring_for_each_cqe(&c->ring, head, cqe)
		{
			ret = complete(c, uring_cqe_get_data(cqe), cqe->res);
			if (ret < 0)
				return ret;
			seen++;
		}
		uring_ring_cq_advance(&c->ring, seen);
	}
	return 0;
}

/* Reap whatever is still in flight, ignoring results. */
static void drain(struct copy *c)
{
	struct uring_cqe *cqe;

	while (c->inflight && uring_ring_wait_cqe(&c->ring, &cqe) == 0) {
		uring_cqe_seen(&c->ring, cqe);
		c->inflight--;
	}
}

static int copy_file(const char *src, const char *dst, struct copy *c)
{
	struct stat st;
	unsigned i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->out = -1;
	c->in = open(src, O_RDONLY | O_CLOEXEC);
	if (c->in < 0)
		return -errno;
	if (fstat(c->in, &st) < 0) {
		ret = -errno;
		goto close_in;
	}
	c->out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      st.st_mode & 0777);
	if (c->out < 0) {
		ret = -errno;
		goto close_in;
	}
	c->size = st.st_size;
	ret = uring_ring_init(&c->ring, QUEUE_DEPTH, 0);
	if (ret < 0)
		goto close_out;
	for (i = 0; i < QUEUE_DEPTH && ret == 0; i++) {
		c->blocks[i].buf = malloc(BLOCK_SIZE);
		if (!c->blocks[i].buf)
			ret = -ENOMEM;
	}
	if (ret == 0)
		ret = run_copy(c);
	if (ret == 0 && fsync(c->out) < 0)
		ret = -errno;
	/* The kernel may still write into buffers of operations in flight
	 * (after an error): wait for them before freeing anything. */
	drain(c);
	for (i = 0; i < QUEUE_DEPTH; i++)
		free(c->blocks[i].buf);
	uring_ring_exit(&c->ring);
close_out:
	close(c->out);
close_in:
	close(c->in);
	return ret;
}

static int make_demo_file(const char *path)
{
	static char chunk[1 << 16];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned i, n;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	for (n = 0; n < DEMO_SIZE / sizeof(chunk); n++) {
		for (i = 0; i < sizeof(chunk); i += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(chunk + i, &x, 8);
		}
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk)) {
			close(fd);
			return -EIO;
		}
	}
	close(fd);
	return 0;
}

/* 0 if the two files have the same bytes. */
static int compare_files(const char *a, const char *b)
{
	static char ba[1 << 16], bb[1 << 16];
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	size_t na, nb;
	int ret = 0;

	if (!fa || !fb) {
		ret = -1;
		goto out;
	}
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na))
			ret = -1;
	} while (!ret && na);
out:
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return ret;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const struct copy *c, double elapsed)
{
	unsigned major = 0, minor = 0;

	uring_kernel_version(&major, &minor);
	printf("kernel %u.%u, io_uring opcodes known: %d\n", major, minor,
	       uring_probe_op_count());
	printf("copied %lld bytes in %.3f s (%.0f MB/s)\n", (long long)c->size,
	       elapsed, elapsed > 0 ? c->size / elapsed / 1e6 : 0.0);
	printf("%u reads + %u writes of up to %d KiB, %d in flight, "
	       "%u submit-and-wait calls (%.1f ops per call)\n",
	       c->reads, c->writes, BLOCK_SIZE / 1024, QUEUE_DEPTH, c->rounds,
	       c->rounds ? (double)(c->reads + c->writes) / c->rounds : 0.0);
}

static int demo(void)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char src[4096], dst[4096];
	struct copy c;
	double t0;
	int ret;

	snprintf(src, sizeof(src), "%s/ring-cp-demo-%d.src", tmp, (int)getpid());
	snprintf(dst, sizeof(dst), "%s/ring-cp-demo-%d.dst", tmp, (int)getpid());
	printf("ring-cp demo: writing a %u MiB test file %s\n", DEMO_SIZE >> 20,
	       src);
	ret = make_demo_file(src);
	if (ret == 0) {
		t0 = seconds();
		ret = copy_file(src, dst, &c);
		if (ret == 0) {
			report(&c, seconds() - t0);
			ret = compare_files(src, dst) ? -EIO : 0;
			printf("copy %s the source byte for byte\n",
			       ret ? "DIFFERS FROM" : "matches");
		}
	}
	unlink(src);
	unlink(dst);
	return ret;
}

int main(int argc, char **argv)
{
	struct copy c;
	double t0;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 1) {
		ret = demo();
	} else if (argc == 3) {
		t0 = seconds();
		ret = copy_file(argv[1], argv[2], &c);
		if (ret == 0)
			report(&c, seconds() - t0);
	} else {
		usage(stderr);
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "ring-cp: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
