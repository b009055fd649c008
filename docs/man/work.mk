## man pages: blocking work (include/uring/work.h): the worker pool, name
## resolution, child processes; .so alias pages for the other names.
dist_man3_MANS += \
	docs/man/uring_work_queue.3 \
	docs/man/uring_work_cancel.3 \
	docs/man/uring_getaddrinfo.3 \
	docs/man/uring_getaddrinfo_cancel.3 \
	docs/man/uring_freeaddrinfo.3 \
	docs/man/uring_gai_strerror.3 \
	docs/man/uring_getnameinfo.3 \
	docs/man/uring_getnameinfo_cancel.3 \
	docs/man/uring_child_wait.3 \
	docs/man/uring_child_cancel.3

## The guide chapter of this area (docs/guide/).
