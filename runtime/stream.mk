## runtime/stream.mk: TCP and Unix streams, the loop's read-buffer pool.
liburingloop_la_SOURCES += \
	runtime/stream-internal.h \
	runtime/stream-private.h \
	runtime/stream.c \
	runtime/stream-read.c \
	runtime/stream-ext.c \
	runtime/stream-write.c \
	runtime/stream-linger.c \
	runtime/bufpool.c \
	runtime/socket.c \
	runtime/udp.c \
	runtime/udp-opts.c
uringinclude_HEADERS += include/uring/stream.h include/uring/udp.h
