## runtime/work/work.mk: the worker pool (blocking work off the loop thread),
## name resolution on it, and waiting for children.
liburingloop_la_SOURCES += \
	runtime/work/work-internal.h \
	runtime/work/work.c \
	runtime/work/getaddrinfo.c \
	runtime/work/child.c
uringinclude_HEADERS += include/uring/work.h
