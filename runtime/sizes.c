/* SPDX-License-Identifier: MIT */
/*
 * The sizes of the public structures as this library was built, for
 * bindings that allocate them without compiling our headers (docs/ABI.md).
 * Kept out of the areas' files: it names every area's structures.
 */
#include <uring/fs.h>
#include <uring/loop.h>
#include <uring/stream.h>
#include <uring/udp.h>
#include <uring/work.h>

size_t uring_loop_size(void)
{
	return sizeof(struct uring_loop);
}

size_t uring_handle_size(enum uring_handle_type type)
{
	static const size_t sizes[URING_HANDLE_TYPE_MAX] = {
		[URING_HANDLE_TIMER] = sizeof(struct uring_timer),
		[URING_HANDLE_IDLE] = sizeof(struct uring_hook),
		[URING_HANDLE_PREPARE] = sizeof(struct uring_hook),
		[URING_HANDLE_CHECK] = sizeof(struct uring_hook),
		[URING_HANDLE_ASYNC] = sizeof(struct uring_async),
		[URING_HANDLE_SIGNAL] = sizeof(struct uring_signal),
		[URING_HANDLE_POLL] = sizeof(struct uring_poll),
		[URING_HANDLE_MSG_PORT] = sizeof(struct uring_msg_port),
		[URING_HANDLE_TCP] = sizeof(struct uring_stream),
		[URING_HANDLE_UNIX] = sizeof(struct uring_stream),
		[URING_HANDLE_UDP] = sizeof(struct uring_udp),
	};

	if ((unsigned)type >= URING_HANDLE_TYPE_MAX)
		return 0;
	return sizes[type];
}

size_t uring_req_size(enum uring_req_type type)
{
	static const size_t sizes[URING_REQ_TYPE_MAX] = {
		[URING_REQ_GENERIC] = sizeof(struct uring_req),
		[URING_REQ_CONNECT] = sizeof(struct uring_connect),
		[URING_REQ_WRITE] = sizeof(struct uring_write),
		[URING_REQ_SHUTDOWN] = sizeof(struct uring_shutdown),
		[URING_REQ_UDP_SEND] = sizeof(struct uring_udp_send),
		[URING_REQ_FS] = sizeof(struct uring_fs),
		[URING_REQ_WORK] = sizeof(struct uring_work),
		[URING_REQ_GETADDRINFO] = sizeof(struct uring_getaddrinfo),
		[URING_REQ_GETNAMEINFO] = sizeof(struct uring_getnameinfo),
		[URING_REQ_CHILD] = sizeof(struct uring_child),
	};

	if ((unsigned)type >= URING_REQ_TYPE_MAX)
		return 0;
	return sizes[type];
}
