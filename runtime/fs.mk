## runtime/fs.mk: file-system requests (include/uring/fs.h).
liburingloop_la_SOURCES += runtime/fs-internal.h runtime/fs.c runtime/fs-copy.c
uringinclude_HEADERS += include/uring/fs.h
