## man pages: file-system requests (include/uring/fs.h): group pages plus
## one-line .so alias pages for the other names of a group.
dist_man3_MANS += \
	docs/man/uring_fs.3 \
	docs/man/uring_fs_cancel.3 \
	docs/man/uring_fs_close.3 \
	docs/man/uring_fs_copy.3 \
	docs/man/uring_fs_fadvise.3 \
	docs/man/uring_fs_fallocate.3 \
	docs/man/uring_fs_fdatasync.3 \
	docs/man/uring_fs_fgetxattr.3 \
	docs/man/uring_fs_fsetxattr.3 \
	docs/man/uring_fs_fsync.3 \
	docs/man/uring_fs_ftruncate.3 \
	docs/man/uring_fs_getxattr.3 \
	docs/man/uring_fs_link.3 \
	docs/man/uring_fs_madvise.3 \
	docs/man/uring_fs_mkdir.3 \
	docs/man/uring_fs_open.3 \
	docs/man/uring_fs_openat2.3 \
	docs/man/uring_fs_read.3 \
	docs/man/uring_fs_read_fixed.3 \
	docs/man/uring_fs_readv.3 \
	docs/man/uring_fs_rename.3 \
	docs/man/uring_fs_rmdir.3 \
	docs/man/uring_fs_setxattr.3 \
	docs/man/uring_fs_splice.3 \
	docs/man/uring_fs_statx.3 \
	docs/man/uring_fs_symlink.3 \
	docs/man/uring_fs_sync_file_range.3 \
	docs/man/uring_fs_tee.3 \
	docs/man/uring_fs_unlink.3 \
	docs/man/uring_fs_write.3 \
	docs/man/uring_fs_write_fixed.3 \
	docs/man/uring_fs_writev.3
