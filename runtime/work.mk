## runtime/work.mk: the worker pool (blocking work off the loop thread),
## name resolution on it, and waiting for children.
liburingloop_la_SOURCES += \
	runtime/work.c \
	runtime/getaddrinfo.c \
	runtime/child.c
uringinclude_HEADERS += include/uring/work.h
