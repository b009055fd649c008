/* SPDX-License-Identifier: MIT */
/*
 * http-parse.h - an HTTP/1.x request-head parser for examples/http-server.c.
 *
 * One pure function: bytes in, a parsed request head (or "need more", or
 * the status to answer with) out.  No allocation, no state between calls,
 * no I/O: the caller keeps the bytes and calls again with more of them.
 * That makes it easy to test (tests/http-parse-test.c) and to fuzz:
 *
 *   int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *   {
 *           struct http_request req;
 *           http_parse_request((const char *)data, size, 8192, &req);
 *           return 0;
 *   }
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_request {
	const char *method; /* points into the caller's bytes */
	size_t method_len;
	const char *target;
	size_t target_len;
	unsigned minor;         /* HTTP/1.<minor>: 0 or 1 (or higher) */
	bool keep_alive;        /* the connection may serve another request */
	uint64_t content_length; /* body bytes after the head (0 if none) */
	unsigned header_count;
};

/* Longest Content-Length accepted; bigger values are malformed (400). */
#define HTTP_MAX_CONTENT_LENGTH (UINT64_C(1) << 53)

/*
 * Parse the request head at the start of buf[0..len).
 *
 * > 0: the head is complete and is that many bytes (empty lines before
 *      it and the empty line that ends it included); *req describes it,
 *      and req->content_length bytes of body follow it.
 *   0: the head is not complete: call again once more bytes have come,
 *      with the same bytes at the start.
 * < 0: minus the HTTP status to answer before closing the connection:
 *      -400 malformed, -431 no complete head within max_head bytes,
 *      -501 a Transfer-Encoding (not supported), -505 not HTTP/1.x.
 *
 * Only the first min(len, max_head) bytes are looked at, so the work per
 * call is bounded whatever the input.  Accepts LF as well as CRLF line
 * ends; HTTP/1.1 requests need exactly one Host header.
 */
int http_parse_request(const char *buf, size_t len, size_t max_head,
		       struct http_request *req);

#endif /* HTTP_PARSE_H */
