## examples/net.mk: network servers and a load client on uringloop streams.
noinst_PROGRAMS += examples/echo-server
examples_echo_server_SOURCES = examples/echo-server.c
examples_echo_server_LDADD = liburingloop.la

noinst_PROGRAMS += examples/http-server
examples_http_server_SOURCES = examples/http-server.c \
	examples/http-parse.c examples/http-parse.h
examples_http_server_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
examples_http_server_LDADD = liburingloop.la $(PTHREAD_LIBS)

noinst_PROGRAMS += examples/proxy
examples_proxy_SOURCES = examples/proxy.c
examples_proxy_LDADD = liburingloop.la

noinst_PROGRAMS += examples/http-load
examples_http_load_SOURCES = examples/http-load.c
examples_http_load_LDADD = liburingloop.la

EXTRA_DIST += examples/net-demo.sh

noinst_PROGRAMS += examples/udp-echo
examples_udp_echo_SOURCES = examples/udp-echo.c
examples_udp_echo_LDADD = liburingloop.la
