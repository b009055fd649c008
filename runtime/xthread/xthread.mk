## runtime/xthread/xthread.mk: what other threads may do to a loop: wake it
## (async), send it messages (msg ports, loop to loop), deliver signals.
liburingloop_la_SOURCES += \
	runtime/xthread/xthread-internal.h \
	runtime/xthread/async.c \
	runtime/xthread/msg.c \
	runtime/xthread/signal.c
