# UL_WARNINGS: -Wall -Wextra and more for the project's own code.
# --enable-werror turns them into errors (CI does); off by default, so that
# a newer compiler's new warning does not break a distribution's build.
AC_DEFUN([UL_WARNINGS], [
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [turn warnings into errors (CI)])],
    [], [enable_werror=no])
  WARN_CFLAGS="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
  AS_IF([test "x$enable_werror" = xyes], [WARN_CFLAGS="$WARN_CFLAGS -Werror"])
  AC_SUBST([WARN_CFLAGS])
])
