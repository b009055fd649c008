## man pages: signal and poll watchers (runtime/xthread/signal.c, runtime/core/poll.c);
## one page per group, .so aliases for the other names.
dist_man3_MANS += \
	docs/man/uring_poll_init.3 \
	docs/man/uring_poll_start.3 \
	docs/man/uring_poll_stop.3 \
	docs/man/uring_signal_init.3 \
	docs/man/uring_signal_start.3 \
	docs/man/uring_signal_stop.3
