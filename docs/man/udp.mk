## man pages: udp
## UDP handles (include/uring/udp.h): one page per group, one-line .so
## alias pages for the other names of a group.
dist_man3_MANS += \
	docs/man/uring_udp.3 \
	docs/man/uring_udp_bind.3 \
	docs/man/uring_udp_buf_keep.3 \
	docs/man/uring_udp_connect.3 \
	docs/man/uring_udp_fileno.3 \
	docs/man/uring_udp_getsockname.3 \
	docs/man/uring_udp_init.3 \
	docs/man/uring_udp_open.3 \
	docs/man/uring_udp_recv_start.3 \
	docs/man/uring_udp_recv_stop.3 \
	docs/man/uring_udp_send.3 \
	docs/man/uring_udp_set_broadcast.3 \
	docs/man/uring_udp_set_membership.3 \
	docs/man/uring_udp_set_multicast_interface.3 \
	docs/man/uring_udp_set_multicast_loop.3 \
	docs/man/uring_udp_set_multicast_ttl.3 \
	docs/man/uring_udp_set_ttl.3 \
	docs/man/uring_udp_try_send.3
