/* SPDX-License-Identifier: MIT */
/*
 * recv_variants: the server side of TCP receive on the ring layer alone
 * (no loop), with the receive features newer kernels offer, to decide
 * which of them the loop's streams should use (issue 4).
 *
 *   recv_variants --variant NAME [--quick] [--duration S] [--cpu N]
 *                 [--only pump|ping] [--conns N] [--verify-all]
 *                 [--buf SIZExCOUNT] [--wait-us N]
 *
 * --only and --conns run one workload or one connection count (for
 * profiling); --buf changes the buffer ring (for experiments); --wait-us
 * makes the server wait for 256 CQEs or N microseconds instead of one CQE,
 * the shape of a server that is behind (its data piles up between waits).
 *
 * Variants (NAME is also the "impl" of the result lines):
 *   baseline    one multishot recv per connection, buffer ring of
 *               256 x 16 KiB, one CQE per buffer (what the loop does)
 *   bundle      the same with URING_RECVSEND_BUNDLE: one CQE may cover
 *               several consecutive ring entries
 *   inc16k      ring registered with URING_PBUF_RING_INC, 256 x 16 KiB:
 *               the kernel fills a buffer piecewise, F_BUF_MORE while it
 *               keeps it
 *   inc64k      the same with 64 x 64 KiB
 *   direct      baseline with the accepted sockets as direct descriptors
 *               (multishot accept into a sparse file table, FIXED_FILE)
 *   bundle_inc  bundle on the 256 x 16 KiB incremental ring
 *   big64k      baseline with 64 x 64 KiB buffers: a control, to tell what
 *               incremental buffers gain from their size alone
 *
 * Workloads, each over fresh connections from a client process pinned to
 * the other CPU (the server runs in a child pinned to --cpu):
 *   pump  1 and 8 connections; the client writes 64 KiB blocks as fast as
 *         the sockets take them; the server discards.  Every byte of a
 *         connection is the pattern word of its stream offset, so the
 *         server checks where each buffer's bytes belong (sampled; all of
 *         them with --verify-all), and the byte count against the client's
 *         after the connections close.
 *   ping  1 and 32 connections, one 64-byte message in flight on each,
 *         echoed by the server with a plain SEND; the client checks every
 *         echoed byte.
 *
 * Metrics (between two marks, from the server's counters, clock and
 * getrusage):  pump_mb_per_s_N, pump_cpu_s_per_gb_N, pump_cqes_per_mb_N,
 * pump_both_cpu_s_per_gb_N (server + client), ping_rt_per_s_N,
 * ping_cpu_us_per_rt_N.  Windows of 2.5 s (--quick 0.3 s, or
 * --duration) after 0.3 s (0.05 s) of warm-up.  More per window on stderr
 * (buffers per CQE, enters, SQEs, re-arms).  A variant the kernel refuses
 * prints one line with metric "kernel_refused" and the negative errno as
 * value, and no figures.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uring/ring.h>

#include "bench.h"
#include "benchctl.h"

#define BENCH "recv_variants"
#define BGID 7
#define MAX_CONNS 64
#define OUT_CAP 4096        /* echo bytes a connection may hold back */
#define MSG_LEN 64          /* ping message */
#define CHUNK 65536         /* pump write size */
#define PAT_WORDS 1048573ULL /* prime: the pattern's period, in 8-byte words */
#define PAT_BYTES (PAT_WORDS * 8)
#define PAT_MAGIC 0x5a17c3e9b2d4f681ULL
#define SAMPLE_STEP 4096    /* sampled check: one word per 4 KiB */
#define CTL_TIMEOUT_S 20.0
#define MAX_EVENTS 64

/* -------------------------------------------------------------- variants */

struct variant {
	const char *name;
	unsigned buf_size, buf_count;
	bool bundle, inc, direct;
};

static const struct variant variants[] = {
	{ "baseline", 16384, 256, false, false, false },
	{ "bundle", 16384, 256, true, false, false },
	{ "inc16k", 16384, 256, false, true, false },
	{ "inc64k", 65536, 64, false, true, false },
	{ "direct", 16384, 256, false, false, true },
	{ "bundle_inc", 16384, 256, true, true, false },
	{ "big64k", 65536, 64, false, false, false },
};

/* What the server tells the parent at every command (cumulative). */
struct report {
	double t, cpu;
	double client_cpu;   /* filled in by the parent: the client's CPU */
	uint64_t bytes_in;   /* payload bytes received */
	uint64_t recv_cqes;  /* recv CQEs that carried bytes */
	uint64_t bufs;       /* buffer pieces those bytes were in */
	uint64_t cqes, sqes, enters;
	uint64_t rearms;     /* multishot recv ended early, re-armed */
	uint64_t nobufs;     /* of those, because the ring ran dry */
	uint64_t sends, accepts, open;
	uint64_t errors;     /* unexpected results */
	uint64_t verify_errors;
	uint64_t flag_mismatch; /* F_BUF_MORE disagrees with the bytes */
	int refused;         /* -errno when the kernel refused the variant */
};

/* ---------------------------------------------------------------- server */

enum op { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_CLOSE, OP_CTL };
enum mode { MODE_PUMP, MODE_ECHO };

struct conn {
	int fd;                /* plain fd, or direct-descriptor slot */
	bool used, closing, send_busy, recv_done;
	uint64_t rx;           /* pump: bytes received */
	uint64_t base_w;       /* pump: pattern word at stream offset 0 */
	unsigned char head[8]; /* pump: first 8 bytes, to learn base_w */
	unsigned out_len;      /* echo: bytes to send, from out[0] */
	char out[OUT_CAP];
};

struct server {
	struct uring_ring ring;
	const struct variant *v;
	unsigned buf_size, buf_count;
	struct uring_buf_ring *br;
	char *mem;
	int mask;
	uint16_t *pos;         /* ring position each buffer was added at */
	uint32_t *off;         /* incremental: bytes of it already used */
	uint16_t *bids;        /* scratch: one CQE's buffers */
	int recycled;          /* buffers added since the last advance */
	int listen_fd, ctl_fd, rep_fd;
	enum mode mode;
	bool verify_all, want_idle, quit;
	char cmd;
	unsigned wait_us;
	double deadline;
	struct conn conns[MAX_CONNS];
	unsigned dirty[MAX_CONNS], ndirty;
	struct report st;
};

static uint64_t ud(unsigned conn, enum op op)
{
	return (uint64_t)conn << 8 | (uint64_t)op;
}

static struct uring_sqe *sqe_get(struct server *s)
{
	struct uring_sqe *sqe = uring_ring_get_sqe(&s->ring);

	if (!sqe) { /* SQ full: hand what we have to the kernel */
		uring_ring_submit(&s->ring);
		sqe = uring_ring_get_sqe(&s->ring);
		if (!sqe)
			bench_die("server: no SQE after a submit");
	}
	s->st.sqes++;
	return sqe;
}

static void reply(struct server *s)
{
	s->st.t = bench_now();
	s->st.cpu = bench_cpu_seconds();
	s->st.enters = s->ring.nr_enter;
	bench_write_all(s->rep_fd, &s->st, sizeof(s->st), "server: report");
}

/* -------------------------------------------------- server: buffer ring */

static char *buf_addr(const struct server *s, unsigned bid)
{
	return s->mem + (size_t)bid * s->buf_size;
}

/* Give buffer `bid` back at the tail; published once per CQE batch. */
static void recycle(struct server *s, uint16_t bid)
{
	s->pos[bid] = (uint16_t)(s->br->tail + s->recycled);
	s->off[bid] = 0;
	uring_buf_ring_add(s->br, buf_addr(s, bid), s->buf_size, bid, s->mask,
			   s->recycled++);
}

static void publish(struct server *s)
{
	if (s->recycled) {
		uring_buf_ring_advance(s->br, s->recycled);
		s->recycled = 0;
	}
}

static int ring_buffers_init(struct server *s)
{
	size_t bytes = (size_t)s->buf_size * s->buf_count;
	unsigned flags = s->v->inc ? URING_PBUF_RING_INC : 0;
	int ret;

	/* MAP_POPULATE: no first-touch faults inside a window */
	s->mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	s->pos = calloc(s->buf_count, sizeof(*s->pos));
	s->off = calloc(s->buf_count, sizeof(*s->off));
	s->bids = calloc(s->buf_count + 1, sizeof(*s->bids));
	if (s->mem == MAP_FAILED || !s->pos || !s->off || !s->bids)
		bench_die("server: out of memory");
	ret = uring_buf_ring_setup(&s->ring, s->buf_count, BGID, flags, &s->br);
	if (ret)
		return ret;
	s->mask = uring_buf_ring_mask(s->buf_count);
	for (unsigned i = 0; i < s->buf_count; i++)
		recycle(s, (uint16_t)i);
	publish(s);
	return 0;
}

/* ------------------------------------------------ server: what arrives */

static uint64_t pat_word(uint64_t w)
{
	return PAT_MAGIC ^ w;
}

/* The first 8 bytes of a connection name its place in the pattern. */
static void learn_base(struct server *s, struct conn *c, const char *p,
		       uint32_t n)
{
	uint64_t v;
	uint32_t take = (uint32_t)(8 - c->rx) < n ? (uint32_t)(8 - c->rx) : n;

	memcpy(c->head + c->rx, p, take);
	if (c->rx + take < 8)
		return;
	memcpy(&v, c->head, 8);
	c->base_w = v ^ PAT_MAGIC;
	if (c->base_w >= PAT_WORDS)
		s->st.verify_errors++;
}

static bool word_ok(const struct conn *c, const char *p, uint64_t a)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v == pat_word((c->base_w + a / 8) % PAT_WORDS);
}

/* Every aligned word of [start, end) at p. */
static void verify_all_words(struct server *s, const struct conn *c,
			     const char *p, uint64_t start, uint64_t a,
			     uint64_t end)
{
	uint64_t w = (c->base_w + a / 8) % PAT_WORDS, v;

	for (; a + 8 <= end; a += 8) {
		memcpy(&v, p + (a - start), 8);
		if (v != pat_word(w)) {
			s->st.verify_errors++;
			return;
		}
		if (++w == PAT_WORDS)
			w = 0;
	}
}

/*
 * Check that these n bytes are the ones at the connection's offset rx: a
 * buffer taken from the wrong ring entry, a wrong offset inside an
 * incremental buffer or bytes given to the wrong connection all fail.
 * Sampled (first and last word, one per 4 KiB) unless --verify-all, so the
 * check costs the same small amount in every variant.
 */
static void verify(struct server *s, struct conn *c, const char *p, uint32_t n)
{
	uint64_t start = c->rx, end = start + n, a, last;

	if (start < 8)
		learn_base(s, c, p, n);
	a = (start + 7) & ~7ULL;
	if (a + 8 > end)
		return;
	if (s->verify_all) {
		verify_all_words(s, c, p, start, a, end);
		return;
	}
	last = (end - 8) & ~7ULL;
	for (; a < last; a += SAMPLE_STEP)
		if (!word_ok(c, p + (a - start), a))
			s->st.verify_errors++;
	if (!word_ok(c, p + (last - start), last))
		s->st.verify_errors++;
}

static void mark_dirty(struct server *s, unsigned i)
{
	for (unsigned k = 0; k < s->ndirty; k++)
		if (s->dirty[k] == i)
			return;
	s->dirty[s->ndirty++] = i;
}

static void deliver(struct server *s, unsigned i, const char *p, uint32_t n)
{
	struct conn *c = &s->conns[i];

	s->st.bufs++;
	s->st.bytes_in += n;
	if (s->mode == MODE_PUMP) {
		verify(s, c, p, n);
		c->rx += n;
		return;
	}
	if (c->out_len + n > OUT_CAP)
		bench_die("server: echo backlog over %d bytes", OUT_CAP);
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	mark_dirty(s, i);
}

/*
 * The ring entries one recv CQE used, first to last: the CQE names the
 * first; a bundle goes on through the next entries of the ring in order.
 * Read them all before giving any back, so a recycled entry can never be
 * mistaken for one of them.  Returns how many; *last_full tells whether
 * the last one was filled to its end.
 */
static unsigned cqe_buffers(struct server *s, uint16_t bid, uint32_t res,
			    bool *last_full)
{
	uint16_t p = s->pos[bid];
	uint32_t left = res, room;
	unsigned nb = 0;

	for (;;) {
		s->bids[nb++] = bid;
		room = s->buf_size - s->off[bid];
		if (left <= room) {
			*last_full = left == room;
			return nb;
		}
		left -= room;
		if (!s->v->bundle || nb == s->buf_count) {
			s->st.errors++; /* more bytes than the CQE can hold */
			*last_full = true;
			return nb;
		}
		bid = s->br->bufs[(uint16_t)++p & (unsigned)s->mask].bid;
	}
}

/*
 * Hand out the bytes and give finished buffers back.  A plain ring loses
 * every buffer it used.  An incremental ring keeps a buffer until it is
 * filled to its end; the kernel says so with F_BUF_MORE, which we check
 * against the bytes (the bytes decide, a disagreement is counted).
 */
static void consume(struct server *s, unsigned i, uint16_t bid, uint32_t res,
		    unsigned flags)
{
	bool last_full, more = flags & URING_CQE_F_BUF_MORE;
	unsigned nb = cqe_buffers(s, bid, res, &last_full);
	uint32_t left = res;

	s->st.recv_cqes++;
	for (unsigned k = 0; k < nb; k++) {
		uint16_t b = s->bids[k];
		uint32_t o = s->off[b], n = s->buf_size - o;

		if (n > left)
			n = left;
		deliver(s, i, buf_addr(s, b) + o, n);
		left -= n;
		if (s->v->inc && k == nb - 1 && !last_full)
			s->off[b] = o + n;
		else
			recycle(s, b);
	}
	if (s->v->inc && more == last_full)
		s->st.flag_mismatch++;
}

/* ------------------------------------------------ server: the requests */

static void fixed(const struct server *s, struct uring_sqe *sqe)
{
	if (s->v->direct)
		uring_sqe_fixed_file(sqe);
}

static void arm_accept(struct server *s)
{
	struct uring_sqe *sqe = sqe_get(s);

	if (s->v->direct)
		uring_prep_multishot_accept_direct(sqe, s->listen_fd, NULL,
						   NULL, 0);
	else
		uring_prep_multishot_accept(sqe, s->listen_fd, NULL, NULL,
					    SOCK_CLOEXEC);
	sqe->user_data = ud(0, OP_ACCEPT);
}

/* The ring layer has no helper for a multishot bundle recv: set the
 * bundle bit on a multishot recv by hand. */
static void arm_recv(struct server *s, unsigned i)
{
	struct uring_sqe *sqe = sqe_get(s);

	uring_prep_recv_multishot(sqe, s->conns[i].fd, NULL, 0, 0);
	if (s->v->bundle)
		sqe->ioprio |= URING_RECVSEND_BUNDLE;
	uring_sqe_buffer_select(sqe, BGID);
	fixed(s, sqe);
	sqe->user_data = ud(i, OP_RECV);
}

static void arm_ctl(struct server *s)
{
	struct uring_sqe *sqe = sqe_get(s);

	uring_prep_read(sqe, s->ctl_fd, &s->cmd, 1, (uint64_t)-1);
	sqe->user_data = ud(0, OP_CTL);
}

static void send_out(struct server *s, unsigned i)
{
	struct conn *c = &s->conns[i];
	struct uring_sqe *sqe;

	if (c->send_busy || !c->out_len || c->closing)
		return;
	sqe = sqe_get(s);
	uring_prep_send(sqe, c->fd, c->out, c->out_len, MSG_NOSIGNAL);
	fixed(s, sqe);
	sqe->user_data = ud(i, OP_SEND);
	c->send_busy = true;
	s->st.sends++;
}

/* Close once the recv has ended and no send is in flight. */
static void conn_close(struct server *s, unsigned i)
{
	struct conn *c = &s->conns[i];
	struct uring_sqe *sqe;

	c->closing = true;
	if (c->send_busy || !c->recv_done)
		return;
	sqe = sqe_get(s);
	if (s->v->direct)
		uring_prep_close_direct(sqe, (unsigned)c->fd);
	else
		uring_prep_close(sqe, c->fd);
	sqe->user_data = ud(i, OP_CLOSE);
	c->recv_done = false; /* the close is queued: do not queue another */
}

static void on_accept(struct server *s, const struct uring_cqe *cqe)
{
	unsigned i;

	if (!uring_cqe_more(cqe))
		arm_accept(s);
	if (cqe->res < 0) {
		if (cqe->res == -EINVAL && s->v->direct && !s->st.accepts)
			s->st.refused = -EINVAL;
		s->st.errors++;
		return;
	}
	for (i = 0; i < MAX_CONNS && s->conns[i].used; i++)
		;
	if (i == MAX_CONNS)
		bench_die("server: more than %d connections", MAX_CONNS);
	memset(&s->conns[i], 0, offsetof(struct conn, out));
	s->conns[i].used = true;
	s->conns[i].fd = cqe->res;
	s->st.accepts++;
	s->st.open++;
	arm_recv(s, i);
}

static void on_recv(struct server *s, unsigned i, const struct uring_cqe *cqe)
{
	int bid = uring_cqe_buffer_id(cqe);

	if (cqe->res > 0 && bid >= 0)
		consume(s, i, (uint16_t)bid, (uint32_t)cqe->res, cqe->flags);
	else if (bid >= 0 && !(cqe->flags & URING_CQE_F_BUF_MORE))
		recycle(s, (uint16_t)bid); /* an empty completion used one up */
	else if (cqe->res > 0)
		s->st.errors++; /* bytes without a buffer */
	if (uring_cqe_more(cqe))
		return;
	/* the multishot ended: re-arm unless the connection is done */
	if (cqe->res > 0 || cqe->res == -ENOBUFS) {
		s->st.rearms++;
		s->st.nobufs += cqe->res == -ENOBUFS;
		arm_recv(s, i);
		return;
	}
	if (cqe->res == -EINVAL && !s->st.recv_cqes &&
	    (s->v->bundle || s->v->inc || s->v->direct))
		s->st.refused = -EINVAL;
	if (cqe->res < 0 && cqe->res != -ECONNRESET)
		s->st.errors++;
	s->conns[i].recv_done = true;
	conn_close(s, i);
}

static void on_send(struct server *s, unsigned i, const struct uring_cqe *cqe)
{
	struct conn *c = &s->conns[i];

	c->send_busy = false;
	if (cqe->res < 0) {
		s->st.errors++;
		c->out_len = 0;
	} else {
		unsigned n = (unsigned)cqe->res;

		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
	if (c->closing)
		conn_close(s, i);
	else
		send_out(s, i);
}

static void on_close(struct server *s, unsigned i, const struct uring_cqe *cqe)
{
	if (cqe->res < 0)
		s->st.errors++;
	s->conns[i].used = false;
	s->st.open--;
}

static void on_ctl(struct server *s, const struct uring_cqe *cqe)
{
	if (cqe->res <= 0 || s->cmd == 'Q') { /* EOF: the parent is gone */
		s->quit = true;
		return;
	}
	arm_ctl(s);
	switch (s->cmd) {
	case 'P':
		s->mode = MODE_PUMP;
		break;
	case 'E':
		s->mode = MODE_ECHO;
		break;
	case 'W': /* answer once every connection is closed */
		s->want_idle = true;
		return;
	}
	reply(s);
}

static void dispatch(struct server *s, const struct uring_cqe *cqe)
{
	unsigned i = (unsigned)(cqe->user_data >> 8);

	switch ((enum op)(cqe->user_data & 0xff)) {
	case OP_ACCEPT:
		on_accept(s, cqe);
		break;
	case OP_RECV:
		on_recv(s, i, cqe);
		break;
	case OP_SEND:
		on_send(s, i, cqe);
		break;
	case OP_CLOSE:
		on_close(s, i, cqe);
		break;
	case OP_CTL:
		on_ctl(s, cqe);
		break;
	}
}

/* One batch: every CQE there, then buffers and echoes go out together. */
static void reap(struct server *s)
{
	struct uring_cqe *cqe;
	unsigned head, n = 0;

	uring_for_each_cqe(&s->ring, head, cqe) {
		dispatch(s, cqe);
		n++;
	}
	uring_ring_cq_advance(&s->ring, n);
	s->st.cqes += n;
	publish(s);
	for (unsigned k = 0; k < s->ndirty; k++)
		send_out(s, s->dirty[k]);
	s->ndirty = 0;
	if (s->want_idle && s->st.open == 0) {
		s->want_idle = false;
		reply(s);
	}
}

/* What the variant needs from the kernel; -errno when it says no. */
static int server_setup(struct server *s)
{
	struct uring_ring_options ro = {
		.sq_entries = 256,
		.cq_entries = 4096,
		/* as the loop sets its ring up */
		.flags = URING_SETUP_CLAMP | URING_SETUP_SINGLE_ISSUER |
			 URING_SETUP_DEFER_TASKRUN,
		.optional_flags = URING_SETUP_TASKRUN_FLAG |
				  URING_SETUP_NO_SQARRAY | URING_SETUP_SUBMIT_ALL,
	};
	int ret = uring_ring_init_options(&s->ring, &ro);

	if (ret)
		bench_die("server: uring_ring_init_options: %s", strerror(-ret));
	if (!(s->ring.enter_flags & URING_ENTER_REGISTERED_RING))
		bench_die("server: the ring fd is not registered");
	if (s->v->bundle &&
	    !(uring_ring_features(&s->ring) & URING_FEAT_RECVSEND_BUNDLE))
		return -EOPNOTSUPP;
	if (s->v->direct) {
		ret = uring_register_files_sparse(&s->ring, MAX_CONNS);
		if (ret)
			return ret;
	}
	return ring_buffers_init(s);
}

static int server_main(struct server *s, double lifetime)
{
	struct uring_timespec ts = { .tv_sec = 1 };
	unsigned wait_nr = 1;
	struct uring_cqe *cqe;
	int ret;

	if (s->wait_us) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long long)s->wait_us * 1000;
		wait_nr = 256;
	}
	s->deadline = bench_now() + lifetime;
	s->st.refused = server_setup(s);
	if (!s->st.refused) {
		arm_accept(s);
		arm_ctl(s);
	}
	reply(s); /* ready */
	if (s->st.refused)
		return 0;
	while (!s->quit) {
		ret = uring_ring_submit_and_wait_timeout(&s->ring, &cqe,
							 wait_nr, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			bench_die("server: wait: %s", strerror(-ret));
		reap(s);
		if (bench_now() > s->deadline)
			bench_die("server: still running after %.0f s", lifetime);
	}
	uring_ring_exit(&s->ring);
	return 0;
}

/* ---------------------------------------------------------------- client */

static char *pattern; /* PAT_BYTES + CHUNK: any CHUNK from any offset */

static void pattern_init(void)
{
	size_t words = (PAT_BYTES + CHUNK) / 8;

	pattern = malloc(PAT_BYTES + CHUNK);
	if (!pattern)
		bench_die("client: out of memory");
	for (size_t i = 0; i < words; i++) {
		uint64_t v = pat_word(i % PAT_WORDS);

		memcpy(pattern + i * 8, &v, 8);
	}
}

static int connect_to(int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		bench_die("client: connect to 127.0.0.1:%d: %s", port,
			  strerror(errno));
	return fd;
}

static void nonblock_watch(int epfd, int fd, unsigned k, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = k };

	if (fcntl(fd, F_SETFL, O_NONBLOCK) || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		bench_die("client: epoll set-up: %s", strerror(errno));
}

static int wait_events(int epfd, struct epoll_event *ev, double deadline)
{
	int ms = (int)((deadline - bench_now()) * 1000.0) + 1;
	int k = epoll_wait(epfd, ev, MAX_EVENTS, ms > 0 ? ms : 0);

	if (k < 0 && errno != EINTR)
		bench_die("client: epoll_wait: %s", strerror(errno));
	return k < 0 ? 0 : k;
}

struct pump_conn {
	int fd;
	uint64_t start, off; /* pattern byte of stream offset 0; bytes sent */
};

struct pump {
	int epfd;
	unsigned n;
	struct pump_conn c[MAX_CONNS];
};

static void pump_open(struct pump *p, int port, unsigned n, unsigned salt)
{
	p->n = n;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		bench_die("client: epoll_create1: %s", strerror(errno));
	for (unsigned k = 0; k < n; k++) {
		/* each connection starts at its own place in the pattern */
		p->c[k].start = ((k + 1) * 104729ULL + salt * 7919ULL) %
				PAT_WORDS * 8;
		p->c[k].off = 0;
		p->c[k].fd = connect_to(port);
		nonblock_watch(p->epfd, p->c[k].fd, k, EPOLLOUT);
	}
}

/* Fill the socket: 64 KiB writes until EAGAIN (at most 16 per event). */
static void pump_conn_write(struct pump_conn *c)
{
	for (int i = 0; i < 16; i++) {
		size_t at = (size_t)((c->start + c->off) % PAT_BYTES);
		ssize_t n = write(c->fd, pattern + at, CHUNK);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			bench_die("client: pump write: %s", strerror(errno));
		c->off += (uint64_t)n;
	}
}

static void pump_run(struct pump *p, double seconds)
{
	struct epoll_event ev[MAX_EVENTS];
	double deadline = bench_now() + seconds;

	for (unsigned long loops = 0; loops < 100000000UL; loops++) {
		int k = wait_events(p->epfd, ev, deadline);

		for (int i = 0; i < k; i++) {
			if (ev[i].events & (EPOLLERR | EPOLLHUP))
				bench_die("client: pump: connection lost");
			pump_conn_write(&p->c[ev[i].data.u32]);
		}
		if (bench_now() >= deadline)
			return;
	}
}

/* Close every connection (the kernel still delivers what is queued);
 * returns the bytes written in all. */
static uint64_t pump_close(struct pump *p)
{
	uint64_t total = 0;

	for (unsigned k = 0; k < p->n; k++) {
		total += p->c[k].off;
		close(p->c[k].fd);
	}
	close(p->epfd);
	return total;
}

struct ping_conn {
	int fd;
	unsigned got;
	bool waiting;
	uint64_t seq;
	uint64_t sent[MSG_LEN / 8];
	unsigned char rbuf[MSG_LEN];
};

struct ping {
	int epfd;
	unsigned n;
	uint64_t sent_total;
	struct ping_conn c[MAX_CONNS];
};

/* Each message differs (connection, sequence), so a stale, misplaced or
 * mixed-up echo does not compare equal. */
static void ping_send(struct ping *p, unsigned k)
{
	struct ping_conn *c = &p->c[k];
	uint64_t x = ((uint64_t)k << 48) ^ c->seq++;

	for (unsigned j = 0; j < MSG_LEN / 8; j++)
		c->sent[j] = (x + j) * 0x9e3779b97f4a7c15ULL;
	/* one message in flight: an empty socket always takes 64 bytes */
	if (write(c->fd, c->sent, MSG_LEN) != MSG_LEN)
		bench_die("client: ping write: %s", strerror(errno));
	c->waiting = true;
	p->sent_total++;
}

static void ping_open(struct ping *p, int port, unsigned n)
{
	int one = 1;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		bench_die("client: epoll_create1: %s", strerror(errno));
	for (unsigned k = 0; k < n; k++) {
		p->c[k].fd = connect_to(port);
		if (setsockopt(p->c[k].fd, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)))
			bench_die("client: TCP_NODELAY: %s", strerror(errno));
		nonblock_watch(p->epfd, p->c[k].fd, k, EPOLLIN);
	}
	for (unsigned k = 0; k < n; k++)
		ping_send(p, k);
}

/* Read what the echo brought; returns 1 when a whole message came back. */
static int ping_read(struct ping *p, unsigned k, bool more)
{
	struct ping_conn *c = &p->c[k];
	ssize_t n = read(c->fd, c->rbuf + c->got, MSG_LEN - c->got);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		bench_die("client: ping read: %s", n ? strerror(errno) : "EOF");
	if (!c->waiting)
		bench_die("client: ping: bytes nobody asked for");
	c->got += (unsigned)n;
	if (c->got < MSG_LEN)
		return 0;
	if (memcmp(c->rbuf, c->sent, MSG_LEN))
		bench_die("client: ping: the echo differs from the message");
	c->got = 0;
	c->waiting = false;
	if (more)
		ping_send(p, k);
	return 1;
}

static bool ping_any_waiting(const struct ping *p)
{
	for (unsigned k = 0; k < p->n; k++)
		if (p->c[k].waiting)
			return true;
	return false;
}

/* Round trips for `seconds`; with !more, only collect the echoes still
 * due and stop when none is.  Returns the round trips completed. */
static uint64_t ping_run(struct ping *p, double seconds, bool more)
{
	struct epoll_event ev[MAX_EVENTS];
	double deadline = bench_now() + seconds;
	uint64_t done = 0;

	for (unsigned long loops = 0; loops < 100000000UL; loops++) {
		int k = wait_events(p->epfd, ev, deadline);

		for (int i = 0; i < k; i++)
			done += (uint64_t)ping_read(p, ev[i].data.u32, more);
		if (bench_now() >= deadline || (!more && !ping_any_waiting(p)))
			break;
	}
	if (!more && ping_any_waiting(p))
		bench_die("client: ping: echoes missing after %.0f s", seconds);
	return done;
}

static void ping_close(struct ping *p)
{
	for (unsigned k = 0; k < p->n; k++)
		close(p->c[k].fd);
	close(p->epfd);
}

/* ---------------------------------------------------------------- parent */

struct srv {
	pid_t pid;
	int ctl_wr, rep_rd;
};

static struct bench_opts opts;
static const struct variant *variant;
static unsigned buf_size, buf_count;
static bool verify_all;
static const char *only;
static const char **want_value;
static const char *variant_name, *buf_arg, *conns_arg, *wait_arg;

static void command(struct srv *sv, char cmd, struct report *r)
{
	bench_write_all(sv->ctl_wr, &cmd, 1, "command");
	bench_read_timeout(sv->rep_rd, r, sizeof(*r), CTL_TIMEOUT_S, "control");
	r->client_cpu = bench_cpu_seconds();
}

static int listen_local(int *port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* TCP_NODELAY on the listener: accepted sockets inherit it, which
	 * direct descriptors need (they have no fd for setsockopt) */
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 512) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len))
		bench_die("listen on 127.0.0.1: %s", strerror(errno));
	*port = ntohs(sin.sin_port);
	return fd;
}

static void server_child(int listen_fd, int ctl_rd, int rep_wr, int cpu,
			 double lifetime)
{
	static struct server s; /* 64 connections x 4 KiB: not on the stack */

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	bench_pin(cpu);
	s.v = variant;
	s.buf_size = buf_size;
	s.buf_count = buf_count;
	s.listen_fd = listen_fd;
	s.ctl_fd = ctl_rd;
	s.rep_fd = rep_wr;
	s.verify_all = verify_all;
	s.wait_us = wait_arg ? (unsigned)atoi(wait_arg) : 0;
	_exit(server_main(&s, lifetime));
}

static int server_start(struct srv *sv, int cpu, double lifetime,
			struct report *ready)
{
	int ctl[2], rep[2], port, lfd = listen_local(&port);

	if (pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
		bench_die("pipe2: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	sv->pid = fork();
	if (sv->pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (sv->pid == 0) {
		close(ctl[1]);
		close(rep[0]);
		server_child(lfd, ctl[0], rep[1], cpu, lifetime);
	}
	close(ctl[0]);
	close(rep[1]);
	close(lfd);
	sv->ctl_wr = ctl[1];
	sv->rep_rd = rep[0];
	bench_read_timeout(sv->rep_rd, ready, sizeof(*ready), CTL_TIMEOUT_S,
			   "control");
	return port;
}

static void server_stop(struct srv *sv)
{
	bench_stop_child(sv->pid, sv->ctl_wr, sv->rep_rd, CTL_TIMEOUT_S);
}

/* The kernel said no: say so, with no figures. */
static void check_refused(struct srv *sv, const struct report *r)
{
	if (!r->refused)
		return;
	fprintf(stderr, "%s %s: the kernel refused the variant: %d (%s)\n",
		BENCH, variant->name, r->refused, strerror(-r->refused));
	bench_result(BENCH, variant->name, "kernel_refused", r->refused,
		     "higher");
	server_stop(sv);
	exit(0);
}

#define D(a, b, f) ((double)((b)->f - (a)->f))

/* After the connections closed: the server saw every byte, right. */
static void check_phase(struct srv *sv, const char *what,
			const struct report *r0, const struct report *rf,
			uint64_t client_bytes)
{
	check_refused(sv, rf);
	if (rf->bytes_in - r0->bytes_in != client_bytes)
		bench_die("%s %s: the server received %llu bytes, the client "
			  "sent %llu", variant->name, what,
			  (unsigned long long)(rf->bytes_in - r0->bytes_in),
			  (unsigned long long)client_bytes);
	if (rf->verify_errors != r0->verify_errors)
		bench_die("%s %s: %llu chunks were not the bytes sent there",
			  variant->name, what,
			  (unsigned long long)(rf->verify_errors -
					       r0->verify_errors));
	if (rf->errors != r0->errors)
		bench_die("%s %s: %llu unexpected results in the server",
			  variant->name, what,
			  (unsigned long long)(rf->errors - r0->errors));
}

/* What the window cost, per `unit`, on stderr. */
static void window_note(const char *what, const struct report *a,
			const struct report *b, double units, const char *unit)
{
	fprintf(stderr, "%s %s: %s: %.0f %s in %.3f s, server cpu %.3f s, "
		"client cpu %.3f s; per %s: %.3f recv CQEs, %.3f buffers, %.3f CQEs, %.3f SQEs, %.3f "
		"enters; %.2f buffers/recv CQE, %.0f re-arms (%.0f -ENOBUFS), "
		"%.0f F_BUF_MORE disagreements\n", BENCH, variant->name, what, units, unit,
		b->t - a->t, b->cpu - a->cpu, b->client_cpu - a->client_cpu, unit,
		D(a, b, recv_cqes) / units, D(a, b, bufs) / units,
		D(a, b, cqes) / units, D(a, b, sqes) / units,
		D(a, b, enters) / units,
		D(a, b, recv_cqes) > 0 ? D(a, b, bufs) / D(a, b, recv_cqes) : 0,
		D(a, b, rearms), D(a, b, nobufs), D(a, b, flag_mismatch));
}

static void result(const char *prefix, unsigned n, const char *suffix,
		   double value, const char *better)
{
	char metric[64];

	snprintf(metric, sizeof(metric), "%s_%s_%u", prefix, suffix, n);
	bench_result(BENCH, variant->name, metric, value, better);
}

static void pump_phase(struct srv *sv, int port, unsigned n, double warm,
		       double window)
{
	static unsigned salt;
	struct report r0, a, b, rf;
	struct pump p;
	char what[32];
	double bytes, dt;
	uint64_t sent;

	command(sv, 'P', &r0);
	pump_open(&p, port, n, ++salt);
	pump_run(&p, warm);
	command(sv, 'M', &a);
	pump_run(&p, window);
	command(sv, 'M', &b);
	sent = pump_close(&p);
	command(sv, 'W', &rf);
	snprintf(what, sizeof(what), "pump %u", n);
	check_phase(sv, what, &r0, &rf, sent);
	bytes = D(&a, &b, bytes_in);
	dt = b.t - a.t;
	if (bytes <= 0)
		bench_die("%s: the server received nothing", what);
	window_note(what, &a, &b, bytes / 1e6, "MB");
	result("pump", n, "mb_per_s", bytes / dt / 1e6, "higher");
	result("pump", n, "cpu_s_per_gb", (b.cpu - a.cpu) / (bytes / 1e9),
	       "lower");
	result("pump", n, "cqes_per_mb", D(&a, &b, recv_cqes) / (bytes / 1e6),
	       "lower");
	/* on loopback part of the receive path runs on the sender's CPU and
	 * the split moves with timing: server + client CPU shows whether a
	 * variant saved work or only moved it */
	result("pump", n, "both_cpu_s_per_gb",
	       (D(&a, &b, cpu) + D(&a, &b, client_cpu)) / (bytes / 1e9), "lower");
}

static void ping_phase(struct srv *sv, int port, unsigned n, double warm,
		       double window)
{
	struct report r0, a, b, rf;
	struct ping p;
	char what[32];
	uint64_t client_rt;
	double rt;

	command(sv, 'E', &r0);
	ping_open(&p, port, n);
	ping_run(&p, warm, true);
	command(sv, 'M', &a);
	client_rt = ping_run(&p, window, true);
	command(sv, 'M', &b);
	ping_run(&p, 5.0, false);
	ping_close(&p);
	command(sv, 'W', &rf);
	snprintf(what, sizeof(what), "ping %u", n);
	check_phase(sv, what, &r0, &rf, p.sent_total * MSG_LEN);
	rt = D(&a, &b, bytes_in) / MSG_LEN;
	/* a window opens and closes with up to n messages on the way */
	if (client_rt == 0 || rt > (double)(client_rt + 2 * n) ||
	    rt + 2 * n < (double)client_rt)
		bench_die("%s: the server echoed %.1f messages, the client "
			  "counted %llu", what, rt,
			  (unsigned long long)client_rt);
	window_note(what, &a, &b, rt, "roundtrip");
	result("ping", n, "rt_per_s", rt / (b.t - a.t), "higher");
	result("ping", n, "cpu_us_per_rt", (b.cpu - a.cpu) * 1e6 / rt, "lower");
}

static bool parse_extra(const char *arg)
{
	if (want_value) {
		*want_value = arg;
		want_value = NULL;
		return true;
	}
	if (!strcmp(arg, "--verify-all"))
		return verify_all = true;
	if (!strcmp(arg, "--variant"))
		want_value = &variant_name;
	else if (!strcmp(arg, "--only"))
		want_value = &only;
	else if (!strcmp(arg, "--buf"))
		want_value = &buf_arg;
	else if (!strcmp(arg, "--conns"))
		want_value = &conns_arg;
	else if (!strcmp(arg, "--wait-us"))
		want_value = &wait_arg;
	return want_value != NULL;
}

static void pick_variant(void)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (variant_name && !strcmp(variant_name, variants[i].name))
			variant = &variants[i];
	if (!variant)
		bench_die("--variant: one of baseline bundle inc16k inc64k "
			  "direct bundle_inc big64k");
	buf_size = variant->buf_size;
	buf_count = variant->buf_count;
	if (buf_arg && sscanf(buf_arg, "%ux%u", &buf_size, &buf_count) != 2)
		bench_die("--buf SIZExCOUNT");
	if (!buf_count || buf_count > URING_BUF_RING_MAX_ENTRIES ||
	    (buf_count & (buf_count - 1)) || buf_size < 64)
		bench_die("--buf: COUNT a power of two up to 32768, SIZE >= 64");
	if (only && strcmp(only, "pump") && strcmp(only, "ping"))
		bench_die("--only pump|ping");
}

static bool wanted(const char *workload, unsigned conns)
{
	return (!only || !strcmp(only, workload)) &&
	       (!conns_arg || (unsigned)atoi(conns_arg) == conns);
}

static int last_cpu(const cpu_set_t *allowed)
{
	for (int i = CPU_SETSIZE - 1; i >= 0; i--)
		if (CPU_ISSET(i, allowed))
			return i;
	bench_die("no CPU in the affinity mask");
}

int main(int argc, char **argv)
{
	static const unsigned pump_conns[] = { 1, 8 }, ping_conns[] = { 1, 32 };
	struct report ready;
	struct srv sv;
	cpu_set_t allowed;
	double window, warm;
	int scpu, port;

	bench_parse(argc, argv, &opts, parse_extra,
		    " --variant NAME [--only pump|ping] [--conns N] "
		    "[--verify-all] [--buf SIZExCOUNT] [--wait-us N]");
	if (want_value)
		bench_die("an option lacks its value");
	pick_variant();
	signal(SIGPIPE, SIG_IGN);
	window = opts.duration > 0 ? opts.duration : opts.quick ? 0.3 : 2.5;
	warm = opts.quick ? 0.05 : 0.3;
	bench_allowed(&allowed);
	scpu = opts.cpu >= 0 ? opts.cpu : last_cpu(&allowed);
	pattern_init();
	port = server_start(&sv, scpu, 60.0 + 4 * (window + warm + 10.0),
			    &ready);
	bench_pin(bench_other_cpu(&allowed, scpu));
	check_refused(&sv, &ready);
	for (unsigned i = 0; i < 2; i++)
		if (wanted("pump", pump_conns[i]))
			pump_phase(&sv, port, pump_conns[i], warm, window);
	for (unsigned i = 0; i < 2; i++)
		if (wanted("ping", ping_conns[i]))
			ping_phase(&sv, port, ping_conns[i], warm, window);
	server_stop(&sv);
	return 0;
}
