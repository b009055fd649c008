/* SPDX-License-Identifier: MIT */
/*
 * tests/bench/netbench.h - what the networking benchmarks share.
 *
 * One program per implementation (net_uringloop, net_libuv, net_epoll),
 * each made of three parts:
 *
 *   netbench.c     main(): options, fork of the server, the measurement
 *                  windows, the metrics and the JSON lines (shared);
 *   netclient.c    the load: ping, pump, pound, idle, http and write_batch
 *                  clients, plain sockets, the same for every impl (shared);
 *   net_<impl>.c   the server, written once per impl as twins: same
 *                  structure, differences only where the API forces them.
 *
 * The server runs in a child process pinned to --cpu; the client runs in
 * the parent pinned to another CPU.  The parent talks to the server through
 * two pipes: it writes one command byte ('M' mark, 'Q' quit) and reads back
 * a struct net_report.  A measurement window is the time between two marks,
 * so connection set-up and warm-up stay outside it, and every rate comes
 * from the server's own counters and clock.
 */
#ifndef URING_NETBENCH_H
#define URING_NETBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the server does with a connection. */
enum net_mode {
	NET_ECHO,    /* ping_pongs: write back what was read */
	NET_DISCARD, /* pump: read and drop */
	NET_WBATCH,  /* write_batch: first connection gets wb_count writes */
	NET_POUND,   /* pound: close once the client's bytes arrive */
	NET_IDLE,    /* idle_conns: read-started, nothing else */
	NET_HTTP,    /* http: keep-alive GET / responder */
};

/* What a server is asked to do (filled by netbench.c). */
struct net_config {
	enum net_mode mode;
	bool nodelay;         /* TCP_NODELAY on accepted connections */
	int backlog;
	unsigned long wb_count;  /* NET_WBATCH: writes */
	unsigned read_buf_size;  /* uringloop only: pool buffer size and */
	unsigned read_buf_count; /* count (0: the loop's defaults) */
	unsigned wait_batch;     /* uringloop only: batched waits (0: off) */
	unsigned wait_batch_usec;
	unsigned spin_usec;      /* uringloop only: busy-poll (0: off) */
	int ctl_fd;           /* readable: call net_control() */
};

/* Counters the server keeps up to date (netbench.c owns the storage). */
struct net_stats {
	uint64_t accepts;     /* connections accepted */
	uint64_t conns;       /* connections open */
	uint64_t bytes_in;    /* bytes read */
	uint64_t requests;    /* NET_HTTP: requests answered */
	uint64_t writes_done; /* NET_WBATCH: writes completed without error */
	uint64_t errors;      /* unexpected errors (read/write/accept) */
	uint64_t loop_enters; /* uringloop: io_uring_enter calls so far */
	uint64_t loop_iterations; /* uringloop: loop iterations so far */
	uint64_t loop_sqes, loop_cqes; /* uringloop: SQEs submitted, CQEs reaped */
	double wb_seconds;    /* NET_WBATCH: first write to shutdown done */
};

/* One mark, as the server saw it. */
struct net_report {
	struct net_stats s;
	double t;          /* server's monotonic clock */
	double cpu;        /* server process user+system seconds */
	uint64_t rss;      /* resident bytes (NET_IDLE only, else 0) */
	uint64_t syscalls; /* system calls so far (when counted, else 0) */
};

extern struct net_stats net_stats;

/* Provided by each net_<impl>.c. */
extern const char net_impl[];
/* Listen on 127.0.0.1:0, call net_ready() with the port, serve until
 * net_control() says to quit, close everything, return 0. */
int net_serve(const struct net_config *cfg);

/* Provided by netbench.c, called by the server. */
void net_ready(int port);
/* ctl_fd is readable: handle one command.  Returns true when the server
 * must close everything and return. */
bool net_control(void);

/* ------------------------------------------------- the HTTP responder */

#define NET_HTTP_RESPONSE                                                   \
	"HTTP/1.1 200 OK\r\n"                                               \
	"Content-Type: text/plain\r\n"                                      \
	"Content-Length: 13\r\n"                                            \
	"\r\n"                                                              \
	"Hello, World!"

/* The payload of every write_batch write (13 bytes). */
#define NET_WB_PAYLOAD "Hello, world\n"
#define NET_WB_LEN 13

/* Count the requests a read completes: the requests are GETs without a
 * body, so each ends with an empty line.  *state carries a partial
 * "\r\n\r\n" across reads (0..3 bytes of it matched). */
static inline unsigned net_http_requests(unsigned *state, const char *p,
					 size_t n)
{
	static const char end[] = "\r\n\r\n";
	unsigned st = *state, count = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == end[st]) {
			if (++st == 4) {
				count++;
				st = 0;
			}
		} else {
			st = p[i] == '\r' ? 1 : 0;
		}
	}
	*state = st;
	return count;
}

/* ---------------------------------------------------- the clients */

/* Each returns what it did; all die (exit 1) on an unexpected error and
 * stop by themselves at their deadline. */
struct nc_ping;
struct nc_ping *nc_ping_open(int port);
uint64_t nc_ping_run(struct nc_ping *p, double seconds); /* round trips */
void nc_ping_close(struct nc_ping *p);

/* pump / pound / http clients over n connections, on one epoll set. */
struct nc_multi;
enum nc_kind { NC_PUMP, NC_POUND, NC_HTTP };
struct nc_multi *nc_multi_open(enum nc_kind kind, int port, unsigned n);
/* Returns bytes written (pump), connect-close cycles (pound) or responses
 * (http) during the call. */
uint64_t nc_multi_run(struct nc_multi *m, double seconds);
uint64_t nc_multi_errors(const struct nc_multi *m);
void nc_multi_close(struct nc_multi *m);

/* write_batch: connect, read until EOF (or `seconds`), return bytes read
 * (or die on timeout). */
int nc_sink_open(int port);
uint64_t nc_sink_run(int fd, double seconds);

/* idle_conns: blocking connects, nothing sent. */
int nc_connect(int port, bool nonblock);

#endif /* URING_NETBENCH_H */
