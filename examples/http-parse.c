/* SPDX-License-Identifier: MIT */
/*
 * http-parse.c - the request-head parser of examples/http-server.c.
 *
 * Line by line over the bytes given, with the grammar of RFC 9112 kept
 * strict where leniency has caused request smuggling (no whitespace
 * before the colon, no folded lines, one Content-Length value, no
 * Transfer-Encoding) and lenient where clients differ harmlessly (LF
 * without CR, empty lines before the request line).
 *
 * The caller calls again from the start when more bytes come.  Parsing a
 * head again costs little next to reading it, and max_head bounds it.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "http-parse.h"

enum {
	NEED_MORE = 0,
	BAD_REQUEST = -400,
	HEAD_TOO_LARGE = -431,
	NOT_IMPLEMENTED = -501,
	BAD_VERSION = -505,
};

/* What the header lines said, while they are being read. */
struct headers {
	bool host, close, keep_alive, has_length;
	uint64_t length;
};

/* RFC 9110 tchar: the characters of methods and header names. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

static bool same_word(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* The line at *p, without its CRLF or LF; advances *p past it.  false if
 * the line has not ended before `end`. */
static bool next_line(const char **p, const char *end, const char **line,
		      size_t *n)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl)
		return false;
	*line = *p;
	*n = (size_t)(nl - *p);
	if (*n && nl[-1] == '\r')
		(*n)--;
	*p = nl + 1;
	return true;
}

/* "METHOD SP target SP HTTP/1.x" */
static int parse_request_line(const char *s, size_t n,
			      struct http_request *req)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *v;
	size_t vlen;

	if (!sp1)
		return BAD_REQUEST;
	req->method = s;
	req->method_len = (size_t)(sp1 - s);
	req->target = sp1 + 1;
	sp2 = memchr(req->target, ' ', n - req->method_len - 1);
	if (!sp2 || !is_token(req->method, req->method_len))
		return BAD_REQUEST;
	req->target_len = (size_t)(sp2 - req->target);
	if (!req->target_len)
		return BAD_REQUEST;
	for (size_t i = 0; i < req->target_len; i++) {
		unsigned char c = (unsigned char)req->target[i];

		if (c <= 0x20 || c >= 0x7f)
			return BAD_REQUEST;
	}
	v = sp2 + 1;
	vlen = n - (size_t)(v - s);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return BAD_REQUEST;
	if (v[5] != '1')
		return BAD_VERSION;
	req->minor = (unsigned)(v[7] - '0');
	return 0;
}

/* Connection: a comma-separated list of options. */
static void parse_connection(const char *v, size_t n, struct headers *h)
{
	while (n) {
		const char *comma = memchr(v, ',', n);
		size_t len = comma ? (size_t)(comma - v) : n;
		size_t a = 0, b = len;

		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (same_word(v + a, b - a, "close"))
			h->close = true;
		else if (same_word(v + a, b - a, "keep-alive"))
			h->keep_alive = true;
		if (!comma)
			break;
		n -= len + 1;
		v = comma + 1;
	}
}

/* Content-Length: digits only; a repeated header must say the same. */
static int parse_length(const char *v, size_t n, struct headers *h)
{
	uint64_t len = 0;

	if (!n)
		return BAD_REQUEST;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return BAD_REQUEST;
		len = len * 10 + (uint64_t)(v[i] - '0');
		if (len > HTTP_MAX_CONTENT_LENGTH)
			return BAD_REQUEST;
	}
	if (h->has_length && h->length != len)
		return BAD_REQUEST;
	h->has_length = true;
	h->length = len;
	return 0;
}

/* "name: value" */
static int parse_header(const char *s, size_t n, struct headers *h)
{
	const char *colon = memchr(s, ':', n);
	const char *v;
	size_t name_len, vlen;

	if (!colon)
		return BAD_REQUEST;
	name_len = (size_t)(colon - s);
	if (!is_token(s, name_len)) /* also: folded lines, space before ':' */
		return BAD_REQUEST;
	v = colon + 1;
	vlen = n - name_len - 1;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return BAD_REQUEST; /* CR, NUL, ... inside a value */
	}
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (same_word(s, name_len, "host")) {
		if (h->host)
			return BAD_REQUEST;
		h->host = true;
	} else if (same_word(s, name_len, "connection")) {
		parse_connection(v, vlen, h);
	} else if (same_word(s, name_len, "content-length")) {
		return parse_length(v, vlen, h);
	} else if (same_word(s, name_len, "transfer-encoding")) {
		return NOT_IMPLEMENTED;
	}
	return 0;
}

/* A request line cannot hold control bytes: a client that sends one (a
 * TLS handshake, say) gets its 400 now, not after max_head bytes. */
static bool cannot_be_request_line(const char *p, const char *end)
{
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && c != '\r') || c >= 0x7f)
			return true;
	}
	return false;
}

/* The head's lines are all complete: check what they add up to. */
static int finish(const struct headers *h, struct http_request *req)
{
	if (req->minor >= 1 && !h->host)
		return BAD_REQUEST; /* RFC 9112 section 3.2 */
	req->content_length = h->has_length ? h->length : 0;
	if (req->minor >= 1)
		req->keep_alive = !h->close;
	else
		req->keep_alive = h->keep_alive && !h->close;
	return 0;
}

int http_parse_request(const char *buf, size_t len, size_t max_head,
		       struct http_request *req)
{
	const char *p = buf, *line, *end;
	struct headers h = {0};
	size_t n;
	int ret;

	if (max_head > INT_MAX)
		max_head = INT_MAX; /* the result must fit */
	end = buf + (len < max_head ? len : max_head);
	memset(req, 0, sizeof(*req));
	do { /* empty lines before a request are allowed (RFC 9112 2.2) */
		if (!next_line(&p, end, &line, &n)) {
			if (cannot_be_request_line(p, end))
				return BAD_REQUEST;
			goto incomplete;
		}
	} while (n == 0);
	ret = parse_request_line(line, n, req);
	if (ret)
		return ret;
	for (;;) {
		if (!next_line(&p, end, &line, &n))
			goto incomplete;
		if (n == 0)
			break;
		ret = parse_header(line, n, &h);
		if (ret)
			return ret;
		req->header_count++;
	}
	ret = finish(&h, req);
	return ret ? ret : (int)(p - buf);

incomplete:
	return len >= max_head ? HEAD_TOO_LARGE : NEED_MORE;
}
