## runtime/core/core.mk: the loop itself (include/uring/loop.h): iteration,
## operations from SQE to callback, handles and requests, timers, hooks,
## readiness watchers, restriction.  Includes nothing from the other areas.
liburingloop_la_SOURCES += \
	runtime/core/loop-internal.h \
	runtime/core/loop.c \
	runtime/core/handle.c \
	runtime/core/op.c \
	runtime/core/retry.c \
	runtime/core/spin.c \
	runtime/core/heap.c \
	runtime/core/timer.c \
	runtime/core/hooks.c \
	runtime/core/poll.c \
	runtime/core/req.c \
	runtime/core/restrict.c
