# UL_SANITIZERS: --enable-sanitizers builds everything with AddressSanitizer
# and UndefinedBehaviorSanitizer, and makes any report fatal.
# --enable-tsan builds with ThreadSanitizer instead (the two cannot be
# combined: ASan and TSan each own the process's shadow memory).
AC_DEFUN([UL_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with ASan and UBSan])],
    [], [enable_sanitizers=no])
  AC_ARG_ENABLE([tsan],
    [AS_HELP_STRING([--enable-tsan], [build with ThreadSanitizer])],
    [], [enable_tsan=no])
  SAN_CFLAGS=""
  AS_IF([test "x$enable_sanitizers" = xyes && test "x$enable_tsan" = xyes],
    [AC_MSG_ERROR([--enable-sanitizers and --enable-tsan exclude each other])])
  AS_IF([test "x$enable_sanitizers" = xyes], [
    SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  ])
  AS_IF([test "x$enable_tsan" = xyes], [
    SAN_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer"
    ul_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS $SAN_CFLAGS"
    AC_MSG_CHECKING([whether $CC links ThreadSanitizer])
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no])
       AC_MSG_ERROR([--enable-tsan: $CC cannot link -fsanitize=thread
  (Debian: gcc needs libtsan2, clang needs libclang-rt-14-dev)])])
    CFLAGS=$ul_save_CFLAGS
    # gcc warns that TSan does not model atomic_thread_fence; the only
    # fence (barrier.h) orders the SQ ring against the kernel, which TSan
    # cannot see either way.
    AX_CHECK_COMPILE_FLAG([-Wtsan], [SAN_CFLAGS="$SAN_CFLAGS -Wno-tsan"],
      [], [-Werror])
  ])
  AC_SUBST([SAN_CFLAGS])
  AM_CONDITIONAL([SANITIZERS], [test "x$enable_sanitizers" = xyes])
  AM_CONDITIONAL([TSAN], [test "x$enable_tsan" = xyes])
])
