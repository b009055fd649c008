## man pages: loop
## The event loop (include/uring/loop.h): one page per function or group,
## one-line .so alias pages for the other names of a group.
dist_man3_MANS += \
	docs/man/uring_async_init.3 \
	docs/man/uring_async_send.3 \
	docs/man/uring_check_init.3 \
	docs/man/uring_check_start.3 \
	docs/man/uring_check_stop.3 \
	docs/man/uring_close.3 \
	docs/man/uring_handle_get_type.3 \
	docs/man/uring_handle_size.3 \
	docs/man/uring_handle_type_name.3 \
	docs/man/uring_has_ref.3 \
	docs/man/uring_idle_init.3 \
	docs/man/uring_idle_start.3 \
	docs/man/uring_idle_stop.3 \
	docs/man/uring_is_active.3 \
	docs/man/uring_is_closing.3 \
	docs/man/uring_loop.3 \
	docs/man/uring_loop_check_creds.3 \
	docs/man/uring_loop_alive.3 \
	docs/man/uring_loop_close.3 \
	docs/man/uring_loop_fd.3 \
	docs/man/uring_loop_init.3 \
	docs/man/uring_loop_now.3 \
	docs/man/uring_hrtime.3 \
	docs/man/uring_loop_ring.3 \
	docs/man/uring_loop_run.3 \
	docs/man/uring_loop_size.3 \
	docs/man/uring_loop_stats.3 \
	docs/man/uring_loop_stop.3 \
	docs/man/uring_loop_timeout.3 \
	docs/man/uring_req_size.3 \
	docs/man/uring_loop_update_time.3 \
	docs/man/uring_loop_wait_batch.3 \
	docs/man/uring_prepare_init.3 \
	docs/man/uring_prepare_start.3 \
	docs/man/uring_prepare_stop.3 \
	docs/man/uring_ref.3 \
	docs/man/uring_req_cancel.3 \
	docs/man/uring_req_sqe.3 \
	docs/man/uring_req_reserve.3 \
	docs/man/uring_req_submit.3 \
	docs/man/uring_err_name.3 \
	docs/man/uring_strerror.3 \
	docs/man/uring_setup_strerror.3 \
	docs/man/uring_timer_again.3 \
	docs/man/uring_timer_get_due_in.3 \
	docs/man/uring_timer_get_repeat.3 \
	docs/man/uring_timer_init.3 \
	docs/man/uring_timer_set_repeat.3 \
	docs/man/uring_timer_start.3 \
	docs/man/uring_timer_stop.3 \
	docs/man/uring_unref.3 \
	docs/man/uring_walk.3 \
	docs/man/uring_msg_port_init.3 \
	docs/man/uring_msg_send.3
