## runtime/net/net.mk: TCP and Unix streams, the loop's read-buffer pool.
liburingloop_la_SOURCES += \
	runtime/net/stream-internal.h \
	runtime/net/stream-private.h \
	runtime/net/stream.c \
	runtime/net/stream-read.c \
	runtime/net/stream-ext.c \
	runtime/net/stream-write.c \
	runtime/net/stream-linger.c \
	runtime/net/bufpool.c \
	runtime/net/socket.c \
	runtime/net/udp.c \
	runtime/net/udp-opts.c
uringinclude_HEADERS += include/uring/stream.h include/uring/udp.h
