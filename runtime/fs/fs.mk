## runtime/fs/fs.mk: file-system requests (include/uring/fs.h).
liburingloop_la_SOURCES += runtime/fs/fs-internal.h runtime/fs/fs.c runtime/fs/fs-copy.c
uringinclude_HEADERS += include/uring/fs.h
