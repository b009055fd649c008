#!/bin/sh
# SPDX-License-Identifier: MIT
#
# errno-lint: uringloop never changes errno (loop.h, README).  Every
# function of lib/ and runtime/ that calls a C library function which
# reports through errno must keep it: start with URING__KEEP_ERRNO()
# (lib/keep-errno.h) or save it by hand (`saved = errno` ... `errno =
# saved`).  Prints the functions that do neither; exits 1 if any.
#
# Exempt, listed below: functions that run only on the worker threads the
# library created (their errno is their own, no caller sees it); and the
# two that close(2) a socket the kernel has just accepted, which cannot
# fail (no EINTR or EIO for a socket nobody else holds).
#
# Finds the source tree through $srcdir, as tests/man-coverage.sh does.

if [ -z "${srcdir:-}" ]; then
	srcdir=$(dirname "$0")/..
fi

# calls that may set errno (free() keeps it since glibc 2.33, POSIX 2024)
calls='socket|bind|listen|connect|accept4?|setsockopt|getsockopt|getsockname|getpeername|close|read|write|sendmsg|recvmsg|eventfd|fstat|ftruncate|pipe2|fcntl|mmap|munmap|malloc|calloc|realloc|uname|sscanf|sigaction|pthread_create'
exempt='runtime/child.c:pool_work runtime/getaddrinfo.c:gai_work
	runtime/getaddrinfo.c:gni_work
	runtime/stream.c:accept_done runtime/stream.c:uring__stream_settle'
exempt=$(echo $exempt) # one line, single spaces

bad=0
for f in "$srcdir"/lib/*.c "$srcdir"/runtime/*.c; do
	rel=${f#"$srcdir"/}
	out=$(awk -v calls="$calls" -v rel="$rel" -v exempt=" $exempt " '
		# a definition: a line in column 0 naming a function, the
		# body from the next "{" in column 0 to "}" in column 0
		/^[a-z].*[a-z_0-9]+\(/ && !/;[ \t]*$/ {
			name = $0
			sub(/\(.*/, "", name)
			sub(/.*[ *]/, "", name)
		}
		/^\{/ { body = ""; inbody = 1; next }
		inbody && /^\}/ {
			inbody = 0
			if (index(exempt, " " rel ":" name " "))
				next
			if (body ~ ("(^|[^a-z_0-9.>])(" calls ")\\(") &&
			    body !~ /URING__KEEP_ERRNO\(\)/ &&
			    body !~ /= errno;/)
				print rel ": " name "()"
			next
		}
		inbody {
			line = $0
			sub(/\/\*.*\*\//, "", line) # comments name calls too
			if (line ~ /^[ \t]*\*/)
				next
			body = body "\n" line
		}
	' "$f")
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
done
if [ $bad -ne 0 ]; then
	echo "errno-lint: the functions above call into libc and do not keep errno"
	echo "(start them with URING__KEEP_ERRNO(), see lib/keep-errno.h)"
	exit 1
fi
echo "errno-lint: every function that calls into libc keeps errno"
exit 0
