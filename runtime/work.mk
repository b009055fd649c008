## runtime/work.mk: the worker pool (blocking work off the loop thread).
liburingloop_la_SOURCES += runtime/work.c
