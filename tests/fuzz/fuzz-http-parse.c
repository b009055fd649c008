/* SPDX-License-Identifier: MIT */
/*
 * fuzz-http-parse: libFuzzer target for examples/http-parse.c.
 *
 * Feeds the input to http_parse_request() and traps on anything its
 * contract (http-parse.h) rules out:
 *   - a result other than > 0, 0, -400, -431, -501, -505;
 *   - a complete head longer than min(len, max_head), not ending in LF,
 *     or whose fields do not point into it and say what an independent
 *     reading of its lines says (method, target, version, header count,
 *     Host, Content-Length, Transfer-Encoding, keep-alive);
 *   - a byte at or after max_head read (ASan-poisoned);
 *   - a result that changes with bytes after a complete head, or with a
 *     bigger max_head once the head fits;
 *   - a prefix that answers anything but "need more" or the full input's
 *     own answer (the server calls again with more bytes and trusts this);
 *   - pipelined heads (after each head and its body) likewise.
 * max_head is 8192 (the server's), SIZE_MAX, and one taken from the input.
 */
#include <sanitizer/asan_interface.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-parse.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

#define SERVER_MAX_HEAD 8192
#define MAX_PREFIXES 32 /* per call checked: bounds the work per input */
#define MAX_PIPELINED 8

static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	/* the RFC 9110 tchar symbols (15 of them) */
	return memchr("!#$%&'*+-.^_`|~", c, 15) != NULL;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool same_word(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

static bool valid_result(int r)
{
	return r >= 0 || r == -400 || r == -431 || r == -501 || r == -505;
}

/* The parse, with every byte from max_head on poisoned: reading one is an
 * ASan report (the contract: only min(len, max_head) bytes are looked at). */
static int parse(const char *buf, size_t len, size_t max_head,
		 struct http_request *req)
{
	int r;

	if (max_head < len)
		ASAN_POISON_MEMORY_REGION(buf + max_head, len - max_head);
	r = http_parse_request(buf, len, max_head, req);
	if (max_head < len)
		ASAN_UNPOISON_MEMORY_REGION(buf + max_head, len - max_head);
	CHECK(valid_result(r));
	return r;
}

static bool same_req(const struct http_request *a, const struct http_request *b)
{
	return a->method == b->method && a->method_len == b->method_len &&
	       a->target == b->target && a->target_len == b->target_len &&
	       a->minor == b->minor && a->keep_alive == b->keep_alive &&
	       a->content_length == b->content_length &&
	       a->header_count == b->header_count;
}

/* One line of buf[*pos..end): without its LF and one CR before it. */
static bool line_at(const char *buf, size_t end, size_t *pos, size_t *start,
		    size_t *n)
{
	const char *nl = memchr(buf + *pos, '\n', end - *pos);

	if (!nl)
		return false;
	*start = *pos;
	*n = (size_t)(nl - buf) - *pos;
	if (*n && buf[*start + *n - 1] == '\r')
		(*n)--;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

/* A complete head buf[0..r) as the parser described it in *req: read its
 * lines independently and check they say the same. */
static void check_head(const char *buf, size_t r, const struct http_request *q)
{
	size_t pos = 0, start, n, i, name_len;
	unsigned headers = 0, hosts = 0;
	bool has_length = false, conn_close = false, conn_keep = false;
	uint64_t length = 0;

	CHECK(r >= 1 && buf[r - 1] == '\n');
	/* empty lines, then the request line */
	do
		CHECK(line_at(buf, r, &pos, &start, &n));
	while (n == 0);
	CHECK(q->method == buf + start);
	CHECK(q->method_len >= 1);
	for (i = 0; i < q->method_len; i++)
		CHECK(is_tchar((unsigned char)q->method[i]));
	CHECK(q->method[q->method_len] == ' ');
	CHECK(q->target == q->method + q->method_len + 1);
	CHECK(q->target_len >= 1);
	for (i = 0; i < q->target_len; i++)
		CHECK(q->target[i] > 0x20 && q->target[i] < 0x7f);
	CHECK(q->target[q->target_len] == ' ');
	CHECK(q->method_len + 1 + q->target_len + 1 + 8 == n);
	CHECK(memcmp(q->target + q->target_len + 1, "HTTP/1.", 7) == 0);
	CHECK(q->minor <= 9 &&
	      q->target[q->target_len + 8] == (char)('0' + q->minor));

	for (;;) {
		const char *line, *v, *colon;
		size_t vlen;

		CHECK(line_at(buf, r, &pos, &start, &n));
		if (n == 0)
			break;
		line = buf + start;
		headers++;
		colon = memchr(line, ':', n);
		CHECK(colon);
		name_len = (size_t)(colon - line);
		CHECK(name_len >= 1);
		for (i = 0; i < name_len; i++)
			CHECK(is_tchar((unsigned char)line[i]));
		v = colon + 1;
		vlen = n - name_len - 1;
		for (i = 0; i < vlen; i++)
			CHECK(((unsigned char)v[i] >= 0x20 || v[i] == '\t') &&
			      v[i] != 0x7f);
		while (vlen && is_ows(*v))
			v++, vlen--;
		while (vlen && is_ows(v[vlen - 1]))
			vlen--;
		CHECK(!same_word(line, name_len, "transfer-encoding"));
		if (same_word(line, name_len, "host")) {
			hosts++;
		} else if (same_word(line, name_len, "content-length")) {
			uint64_t x = 0;

			CHECK(vlen >= 1);
			for (i = 0; i < vlen; i++) {
				CHECK(v[i] >= '0' && v[i] <= '9');
				x = x * 10 + (uint64_t)(v[i] - '0');
				CHECK(x <= HTTP_MAX_CONTENT_LENGTH);
			}
			CHECK(!has_length || x == length);
			has_length = true;
			length = x;
		} else if (same_word(line, name_len, "connection")) {
			while (vlen) {
				const char *comma = memchr(v, ',', vlen);
				size_t tl = comma ? (size_t)(comma - v) : vlen;
				size_t a = 0, b = tl;

				while (a < b && is_ows(v[a]))
					a++;
				while (b > a && is_ows(v[b - 1]))
					b--;
				if (same_word(v + a, b - a, "close"))
					conn_close = true;
				else if (same_word(v + a, b - a, "keep-alive"))
					conn_keep = true;
				if (!comma)
					break;
				vlen -= tl + 1;
				v = comma + 1;
			}
		}
	}
	CHECK(pos == r); /* the empty line ends the head */
	CHECK(q->header_count == headers);
	CHECK(hosts <= 1);
	CHECK(q->minor == 0 || hosts == 1);
	CHECK(q->content_length == (has_length ? length : 0));
	if (q->minor >= 1)
		CHECK(q->keep_alive == !conn_close);
	else
		CHECK(q->keep_alive == (conn_keep && !conn_close));
}

/* What a prefix of k bytes may answer, given the full input's answer. */
static void check_prefix(const char *buf, size_t max_head, int full, size_t k)
{
	struct http_request req;
	int r = parse(buf, k, max_head, &req);

	if (k >= max_head) {
		/* the same bytes are looked at */
		CHECK(r == full);
	} else if (full > 0 && k < (size_t)full) {
		CHECK(r == 0);
	} else if (full > 0 || full == -400 || full == -501 || full == -505) {
		CHECK(r == 0 || r == full);
	} else {
		/* full is "need more", or 431 with k < max_head <= len */
		CHECK(r == 0);
	}
}

/* Prefix lengths worth trying: every one of a short input; else up to
 * `budget` of the lengths at and after an LF (where answers can change),
 * spread over the input, and a few more. */
static void check_prefixes(const char *buf, size_t len, size_t max_head,
			   int full, unsigned budget)
{
	size_t end = len < max_head ? len : max_head, k, lfs = 0, step, seen;

	if (end <= 48) {
		for (k = 0; k < len && k <= end; k++)
			check_prefix(buf, max_head, full, k);
		return;
	}
	for (k = 0; k < end; k++)
		lfs += buf[k] == '\n';
	step = lfs / (budget / 2 + 1) + 1;
	for (k = 0, seen = 0; k < end; k++) {
		if (buf[k] != '\n' || seen++ % step)
			continue;
		check_prefix(buf, max_head, full, k);
		check_prefix(buf, max_head, full, k + 1);
	}
	for (k = 0; k < 8; k++)
		check_prefix(buf, max_head, full, end * k / 8);
	if (full > 0)
		check_prefix(buf, max_head, full, (size_t)full - 1);
	if (len > max_head)
		check_prefix(buf, max_head, full, max_head);
}

/* Everything about one call on buf[0..len). */
static int check_one(const char *buf, size_t len, size_t max_head,
		     unsigned budget, struct http_request *out)
{
	struct http_request req, again;
	size_t eff = len < max_head ? len : max_head;
	int r = parse(buf, len, max_head, &req);

	/* same bytes, same answer */
	CHECK(parse(buf, len, max_head, &again) == r);
	if (r > 0) {
		CHECK(same_req(&req, &again));
		CHECK((size_t)r <= eff);
		check_head(buf, (size_t)r, &req);
		/* bytes after the head do not matter, nor a bigger limit */
		CHECK(parse(buf, (size_t)r, max_head, &again) == r);
		CHECK(same_req(&req, &again));
		CHECK(parse(buf, len, (size_t)r, &again) == r);
		CHECK(same_req(&req, &again));
		CHECK(parse(buf, len, SIZE_MAX, &again) == r);
		CHECK(same_req(&req, &again));
	} else if (r == -431) {
		CHECK(len >= max_head);
	} else if (r == 0) {
		CHECK(len < max_head);
	}
	if (len < max_head) /* the limit does not change what fits under it */
		CHECK(parse(buf, len, SIZE_MAX, &again) == r);
	check_prefixes(buf, len, max_head, r, budget);
	if (out)
		*out = req;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy: a read past the end is an ASan report */
	char *buf = malloc(size ? size : 1);
	struct http_request req;
	size_t used = 0, small_max;
	int r, i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);

	r = check_one(buf, size, SERVER_MAX_HEAD, MAX_PREFIXES, &req);
	/* a limit taken from the input: exercises 431 and the cut-off */
	small_max = size >= 2
			? ((size_t)data[0] | (size_t)data[1] << 8) % (size + 8)
			: 0;
	check_one(buf, size, small_max, MAX_PREFIXES, NULL);

	/* pipelined: head, body, head, ... as the server walks them */
	for (i = 0; i < MAX_PIPELINED && r > 0; i++) {
		used += (size_t)r;
		used += req.content_length < size - used
			    ? (size_t)req.content_length
			    : size - used;
		if (used == size)
			break;
		r = check_one(buf + used, size - used, SERVER_MAX_HEAD,
			      MAX_PREFIXES / 4, &req);
	}
	free(buf);
	return 0;
}
