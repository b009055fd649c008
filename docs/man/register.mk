## man pages: register
# registration, provided buffer rings (aliases are one-line .so pages)
dist_man3_MANS += \
	docs/man/uring_buf_ring_add.3 \
	docs/man/uring_buf_ring_advance.3 \
	docs/man/uring_buf_ring_available.3 \
	docs/man/uring_buf_ring_cq_advance.3 \
	docs/man/uring_buf_ring_free.3 \
	docs/man/uring_buf_ring_head.3 \
	docs/man/uring_buf_ring_init.3 \
	docs/man/uring_buf_ring_mask.3 \
	docs/man/uring_buf_ring_setup.3 \
	docs/man/uring_register_buf_ring.3 \
	docs/man/uring_register_buffers.3 \
	docs/man/uring_register_buffers_sparse.3 \
	docs/man/uring_register_buffers_tags.3 \
	docs/man/uring_register_buffers_update_tag.3 \
	docs/man/uring_register_clock.3 \
	docs/man/uring_register_clone_buffers.3 \
	docs/man/uring_register_clone_buffers_offset.3 \
	docs/man/uring_register_eventfd.3 \
	docs/man/uring_register_eventfd_async.3 \
	docs/man/uring_register_file_alloc_range.3 \
	docs/man/uring_register_files.3 \
	docs/man/uring_register_files_sparse.3 \
	docs/man/uring_register_files_tags.3 \
	docs/man/uring_register_files_update.3 \
	docs/man/uring_register_files_update_tag.3 \
	docs/man/uring_register_iowq_aff.3 \
	docs/man/uring_register_iowq_max_workers.3 \
	docs/man/uring_register_napi.3 \
	docs/man/uring_register_personality.3 \
	docs/man/uring_register_query_opcodes.3 \
	docs/man/uring_register_restrictions.3 \
	docs/man/uring_register_sync_cancel.3 \
	docs/man/uring_register_sync_msg.3 \
	docs/man/uring_unregister_buf_ring.3 \
	docs/man/uring_unregister_buffers.3 \
	docs/man/uring_unregister_eventfd.3 \
	docs/man/uring_unregister_files.3 \
	docs/man/uring_unregister_iowq_aff.3 \
	docs/man/uring_unregister_napi.3 \
	docs/man/uring_unregister_personality.3
