/* SPDX-License-Identifier: MIT */
/* lib/probe.c - what the running kernel can do: opcodes, version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "syscall.h"

/* The probe answers for at most 256 opcodes (op is a u8). */
#define PROBE_OPS 256

int uring_probe_get(struct uring_ring *ring, struct uring_probe **probe_ptr)
{
	URING__KEEP_ERRNO();
	struct uring_probe *probe;
	int ret;

	if (!ring || !probe_ptr)
		return -EINVAL;
	probe = calloc(1, sizeof(*probe) + PROBE_OPS * sizeof(probe->ops[0]));
	if (!probe)
		return -ENOMEM;
	ret = uring__register(ring, URING_REGISTER_PROBE, probe, PROBE_OPS);
	if (ret < 0) {
		free(probe);
		return ret;
	}
	*probe_ptr = probe;
	return 0;
}

void uring_probe_free(struct uring_probe *probe)
{
	free(probe);
}

bool uring_probe_supports(const struct uring_probe *probe, unsigned op)
{
	if (!probe || op >= probe->ops_len)
		return false;
	return probe->ops[op].flags & URING_PROBE_OP_SUPPORTED;
}

/* A small throwaway ring to ask questions that need one. */
static int with_probe(struct uring_probe **probe)
{
	struct uring_ring_options o;
	struct uring_ring ring;
	int ret;

	memset(&o, 0, sizeof(o));
	o.sq_entries = 1;
	o.ring_flags = URING_RING_NO_REGISTER_FD;
	ret = uring_ring_init_options(&ring, &o);
	if (ret)
		return ret;
	ret = uring_probe_get(&ring, probe);
	uring_ring_exit(&ring);
	return ret;
}

int uring_probe_opcode(unsigned op)
{
	struct uring_probe *probe;
	int ret = with_probe(&probe);

	if (ret)
		return ret;
	ret = uring_probe_supports(probe, op) ? 1 : 0;
	uring_probe_free(probe);
	return ret;
}

int uring_probe_op_count(void)
{
	struct uring_probe *probe;
	int ret = with_probe(&probe);

	if (ret)
		return ret;
	ret = probe->ops_len;
	uring_probe_free(probe);
	return ret;
}

int uring_kernel_version(unsigned *major, unsigned *minor)
{
	URING__KEEP_ERRNO(); /* sscanf() may set it too */
	struct utsname u;
	unsigned ma, mi;

	if (!major || !minor)
		return -EINVAL;
	if (uname(&u) < 0)
		return -errno;
	if (sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return -EINVAL;
	*major = ma;
	*minor = mi;
	return 0;
}

int uring_version_major(void)
{
	return URING_VERSION_MAJOR;
}

int uring_version_minor(void)
{
	return URING_VERSION_MINOR;
}
