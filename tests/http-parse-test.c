/* SPDX-License-Identifier: MIT */
/* http-parse-test: the request-head parser of examples/http-server.c:
 * complete, partial (every prefix), pipelined, oversized and malformed
 * heads, keep-alive rules, Content-Length, and a bounded random sweep. */
#include <string.h>

#include "http-parse.h"
#include "test-util.h"

#define MAX_HEAD 8192

static int parse(const char *s, struct http_request *req)
{
	return http_parse_request(s, strlen(s), MAX_HEAD, req);
}

static int status_of(const char *s)
{
	struct http_request req;

	return parse(s, &req);
}

START_TEST(complete_get)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: example\r\n"
			"Accept: */*\r\n\r\n";
	struct http_request req;

	ck_assert_int_eq(parse(s, &req), (int)strlen(s));
	ck_assert_uint_eq(req.method_len, 3);
	ck_assert(memcmp(req.method, "GET", 3) == 0);
	ck_assert_uint_eq(req.target_len, 11);
	ck_assert(memcmp(req.target, "/index.html", 11) == 0);
	ck_assert_uint_eq(req.minor, 1);
	ck_assert(req.keep_alive);
	ck_assert_uint_eq(req.header_count, 2);
	ck_assert_uint_eq(req.content_length, 0);
}
END_TEST

/* Every proper prefix of a head is "need more", never an error. */
START_TEST(every_prefix_needs_more)
{
	const char *s = "POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 3"
			"\r\nConnection: keep-alive\r\n\r\n";
	struct http_request req;
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		ck_assert_msg(http_parse_request(s, i, MAX_HEAD, &req) == 0,
			      "prefix of %zu bytes", i);
	ck_assert_int_eq(http_parse_request(s, len, MAX_HEAD, &req), (int)len);
	ck_assert_uint_eq(req.content_length, 3);
}
END_TEST

START_TEST(pipelined)
{
	const char *s = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
			"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
			"GET /3 HTT";
	struct http_request req;
	size_t len = strlen(s), off = 0;
	int n;

	n = http_parse_request(s, len, MAX_HEAD, &req);
	ck_assert_int_eq(n, 28);
	ck_assert(memcmp(req.target, "/1", 2) == 0);
	off += (size_t)n;
	n = http_parse_request(s + off, len - off, MAX_HEAD, &req);
	ck_assert_int_eq(n, 28);
	ck_assert(memcmp(req.target, "/2", 2) == 0);
	off += (size_t)n;
	ck_assert_int_eq(http_parse_request(s + off, len - off, MAX_HEAD, &req),
			 0);
}
END_TEST

START_TEST(lf_only_and_leading_empty_lines)
{
	const char *s = "\r\n\nGET / HTTP/1.0\n\n";
	struct http_request req;

	ck_assert_int_eq(parse(s, &req), (int)strlen(s));
	ck_assert_uint_eq(req.minor, 0);
	ck_assert(req.target[0] == '/');
}
END_TEST

START_TEST(keep_alive_rules)
{
	struct http_request req;

	parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &req);
	ck_assert(req.keep_alive);
	parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &req);
	ck_assert(!req.keep_alive);
	parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n",
	      &req);
	ck_assert(!req.keep_alive);
	parse("GET / HTTP/1.0\r\n\r\n", &req);
	ck_assert(!req.keep_alive);
	parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req);
	ck_assert(req.keep_alive);
	parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", &req);
	ck_assert(!req.keep_alive);
}
END_TEST

START_TEST(content_length)
{
	struct http_request req;

	ck_assert_int_gt(parse("POST / HTTP/1.1\r\nHost: x\r\n"
			       "Content-Length:  42 \r\n\r\n", &req), 0);
	ck_assert_uint_eq(req.content_length, 42);
	ck_assert_int_gt(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 7"
			       "\r\ncontent-length: 7\r\n\r\n", &req), 0);
	ck_assert_uint_eq(req.content_length, 7);
	/* disagreeing, signed, listed, empty, overflowing: smuggling bait */
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-"
				   "Length: 7\r\nContent-Length: 8\r\n\r\n"),
			 -400);
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: +7\r\n\r\n"), -400);
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: 7, 7\r\n\r\n"), -400);
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length:\r\n\r\n"), -400);
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-"
				   "Length: 99999999999999999999999\r\n\r\n"),
			 -400);
	ck_assert_int_eq(status_of("POST / HTTP/1.1\r\nHost: x\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"), -501);
}
END_TEST

START_TEST(malformed)
{
	static const char *const bad[] = {
		"BAD REQUEST LINE\r\n\r\n",
		"GET\r\n\r\n",
		"GET /\r\n\r\n",
		"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",   /* two spaces */
		"GET / HTTP/1.1 \r\nHost: x\r\n\r\n",   /* trailing space */
		"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",    /* not a token */
		"GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.x\r\nHost: x\r\n\r\n",
		"GET / http/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",               /* no Host */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",   /* space before colon */
		"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", /* bare CR */
		"\x16\x03\x01\x00\xa5\x01\x00\x00",     /* TLS, no line end */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(status_of(bad[i]) == -400, "case %zu: %d", i,
			      status_of(bad[i]));
	ck_assert_int_eq(status_of("GET / HTTP/2.0\r\n\r\n"), -505);
	/* a NUL inside a header value */
	{
		const char s[] = "GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n";
		struct http_request req;

		ck_assert_int_eq(http_parse_request(s, sizeof(s) - 1, MAX_HEAD,
						    &req),
				 -400);
	}
}
END_TEST

START_TEST(oversized)
{
	size_t len = MAX_HEAD + 100;
	char *s = malloc(len);
	struct http_request req;
	int head;

	ck_assert_ptr_nonnull(s);
	head = snprintf(s, len, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(s + head, 'b', len - (size_t)head);
	/* below the limit: need more; at it or past it: 431 */
	ck_assert_int_eq(http_parse_request(s, MAX_HEAD - 1, MAX_HEAD, &req), 0);
	ck_assert_int_eq(http_parse_request(s, MAX_HEAD, MAX_HEAD, &req), -431);
	ck_assert_int_eq(http_parse_request(s, len, MAX_HEAD, &req), -431);
	/* a head that ends exactly at the limit is fine */
	memcpy(s + MAX_HEAD - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(http_parse_request(s, len, MAX_HEAD, &req), MAX_HEAD);
	/* one byte more is not */
	ck_assert_int_eq(http_parse_request(s, len, MAX_HEAD - 1, &req), -431);
	free(s);
}
END_TEST

/* Random bytes and random cuts of a valid head: never a crash (ASan/
 * valgrind watch the reads), never a result outside its contract. */
START_TEST(random_inputs)
{
	static const char good[] = "GET / HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: 0\r\n\r\n";
	static const char alphabet[] = "GET /HTP1.0\r\n: Hostx\t,c-l";
	char buf[256];
	struct http_request req;
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		int ret;

		seed = seed * 1103515245u + 12345u;
		if (round % 2) {
			len = (seed >> 8) % sizeof(buf);
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] = alphabet[(seed >> 16) %
						  (sizeof(alphabet) - 1)];
			}
		} else {
			len = sizeof(good) - 1;
			memcpy(buf, good, len);
			buf[(seed >> 8) % len] = (char)(seed >> 20);
		}
		ret = http_parse_request(buf, len, 64, &req);
		ck_assert(ret == 0 || ret == -400 || ret == -431 ||
			  ret == -501 || ret == -505 || (ret > 0 && ret <= 64 &&
							 (size_t)ret <= len));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http-parse");
	TCase *tc = ut_tcase("http-parse", 30);

	UT_ADD(tc, complete_get);
	UT_ADD(tc, every_prefix_needs_more);
	UT_ADD(tc, pipelined);
	UT_ADD(tc, lf_only_and_leading_empty_lines);
	UT_ADD(tc, keep_alive_rules);
	UT_ADD(tc, content_length);
	UT_ADD(tc, malformed);
	UT_ADD(tc, oversized);
	UT_ADD(tc, random_inputs);
	suite_add_tcase(s, tc);
	return ut_run(s);
}
