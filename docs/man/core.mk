## man pages: core
## Core ring layer (include/uring/ring.h): one page per function or group,
## one-line .so alias pages for the other names of a group.
dist_man3_MANS += \
	docs/man/uring_cqe_buffer_id.3 \
	docs/man/uring_cqe_get_data.3 \
	docs/man/uring_cqe_get_data64.3 \
	docs/man/uring_cqe_more.3 \
	docs/man/uring_cqe_nr.3 \
	docs/man/uring_cqe_seen.3 \
	docs/man/uring_cqe_set_data.3 \
	docs/man/uring_cqe_set_data64.3 \
	docs/man/uring_for_each_cqe.3 \
	docs/man/uring_kernel_version.3 \
	docs/man/uring_probe_free.3 \
	docs/man/uring_probe_get.3 \
	docs/man/uring_probe_op_count.3 \
	docs/man/uring_probe_opcode.3 \
	docs/man/uring_probe_supports.3 \
	docs/man/uring_register_ring_fd.3 \
	docs/man/uring_ring.3 \
	docs/man/uring_ring_cq_advance.3 \
	docs/man/uring_ring_cq_dropped.3 \
	docs/man/uring_ring_cq_entries.3 \
	docs/man/uring_ring_cq_has_overflow.3 \
	docs/man/uring_ring_cq_needs_flush.3 \
	docs/man/uring_ring_cq_ready.3 \
	docs/man/uring_ring_enable.3 \
	docs/man/uring_ring_exit.3 \
	docs/man/uring_ring_fd.3 \
	docs/man/uring_ring_features.3 \
	docs/man/uring_ring_get_events.3 \
	docs/man/uring_ring_get_sqe.3 \
	docs/man/uring_ring_init.3 \
	docs/man/uring_ring_init_options.3 \
	docs/man/uring_ring_mem_size.3 \
	docs/man/uring_ring_peek_batch_cqe.3 \
	docs/man/uring_ring_peek_cqe.3 \
	docs/man/uring_ring_setup_flags.3 \
	docs/man/uring_ring_sq_entries.3 \
	docs/man/uring_ring_sq_ready.3 \
	docs/man/uring_ring_sq_space_left.3 \
	docs/man/uring_ring_submit.3 \
	docs/man/uring_ring_submit_and_wait.3 \
	docs/man/uring_ring_submit_and_wait_timeout.3 \
	docs/man/uring_ring_submit_and_wait_min_timeout.3 \
	docs/man/uring_ring_wait_cqe.3 \
	docs/man/uring_ring_wait_cqe_timeout.3 \
	docs/man/uring_ring_wait_cqes.3 \
	docs/man/uring_sqe_cmd.3 \
	docs/man/uring_unregister_ring_fd.3 \
	docs/man/uring_version_major.3 \
	docs/man/uring_fault_inject.3 \
	docs/man/uring_version_minor.3

## Every public name in include/uring/*.h has a page.
TESTS += tests/man-coverage.sh
EXTRA_DIST += tests/man-coverage.sh
## The shell tests find the tree, and the tools configure chose, here.
AM_TESTS_ENVIRONMENT += srcdir=$(srcdir) CC='$(CC)' CXX='$(CXX)' NM='$(NM)'; \
	export srcdir CC CXX NM;
