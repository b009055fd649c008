## man pages: stream
## TCP and Unix-domain streams (include/uring/stream.h): one page per group,
## one-line .so alias pages for the other names of a group.
dist_man3_MANS += \
	docs/man/uring_loop_buf_release.3 \
	docs/man/uring_stream.3 \
	docs/man/uring_stream_accept.3 \
	docs/man/uring_stream_buf_keep.3 \
	docs/man/uring_stream_close_graceful.3 \
	docs/man/uring_stream_fileno.3 \
	docs/man/uring_stream_is_readable.3 \
	docs/man/uring_stream_is_writable.3 \
	docs/man/uring_stream_listen.3 \
	docs/man/uring_stream_open.3 \
	docs/man/uring_stream_read_start.3 \
	docs/man/uring_stream_read_start_alloc.3 \
	docs/man/uring_stream_read_stop.3 \
	docs/man/uring_stream_set_drain_cb.3 \
	docs/man/uring_stream_shutdown.3 \
	docs/man/uring_stream_try_write.3 \
	docs/man/uring_stream_write.3 \
	docs/man/uring_stream_write_zc.3 \
	docs/man/uring_stream_write_queue_size.3 \
	docs/man/uring_tcp_bind.3 \
	docs/man/uring_tcp_close_reset.3 \
	docs/man/uring_tcp_connect.3 \
	docs/man/uring_tcp_getpeername.3 \
	docs/man/uring_tcp_getsockname.3 \
	docs/man/uring_tcp_init.3 \
	docs/man/uring_tcp_keepalive.3 \
	docs/man/uring_tcp_nodelay.3 \
	docs/man/uring_unix_bind.3 \
	docs/man/uring_unix_connect.3 \
	docs/man/uring_unix_init.3
