#!/usr/bin/env python3
# tests/fuzz/api-seeds.py DIR: writes the hand-made seed inputs of
# fuzz-api (tests/fuzz/corpus/api/).  Input format (fuzz-api.c): byte 0
# picks the loop (bits 0-1 pool count 1/2/8/64, 2-3 buffer size
# 64/512/4096/16384, 4-5 task-run mode, 6 a 4-entry SQ, 7 a small
# SO_SNDBUF), byte 1 the socketpair (bit 0 non-blocking, bit 1 release
# kept buffers at the end); then ops of three bytes (op, a, b).
import os
import sys

OPS = ["timer_start", "timer_stop", "timer_again", "timer_close",
       "read_pool", "read_alloc", "read_stop", "write", "try_write",
       "shutdown", "close", "run_nowait", "run_once", "keep_mode",
       "release", "arm", "reopen", "keep_outside", "run_nowait2",
       "write_small"]
OP = {name: i for i, name in enumerate(OPS)}


def op(name, a=0, b=0, *armed):
    """One op; `armed` is the (op, a, b) an arm op stores."""
    out = bytes([OP[name], a, b])
    if armed:
        out += bytes([OP[armed[0]], armed[1], armed[2]])
    return out


def wsize(size_idx, nbufs=1, null_empty=False):
    """b of a write: size index (0 1 7 100 1500 4096 16384 65536),
    buffer count 1..8."""
    return size_idx | ((nbufs - 1) << 3) | (0x40 if null_empty else 0)


def timer(timeout_idx, repeat_idx):
    """b of timer_start: timeout index (0 0 1 1 2 3 10 1000 ms), repeat
    index (0 1 0 2 ms)."""
    return timeout_idx | (repeat_idx << 3)


def runs(n):
    return op("run_nowait") * n


SEEDS = {
    "echo": bytes([0x02, 0]) + op("read_pool", 1) + op("write", 0, wsize(4))
    + runs(4) + op("read_pool", 0) + op("write", 1, wsize(3, 3)) + runs(3),
    "timers": bytes([0, 0]) + op("timer_start", 0, timer(2, 1))
    + op("timer_start", 1, timer(0, 0)) + op("run_once") + op("run_once")
    + op("timer_again", 0) + op("timer_stop", 0) + op("timer_close", 1)
    + op("timer_start", 2, timer(7, 0)) + runs(1),
    "shutdown-eof": bytes([0x0a, 0]) + op("read_pool", 1)
    + op("write", 0, wsize(5, 2)) + op("shutdown", 0) + runs(5)
    + op("write", 0, wsize(1)),
    "close-mid-write": bytes([0x80, 1]) + op("write", 0, wsize(7, 5))
    + op("write", 0, wsize(6)) + runs(1) + op("read_pool", 1) + runs(1)
    + op("close", 0) + runs(3),
    "alloc-mode": bytes([0x06, 0]) + op("read_alloc", 1, 3)
    + op("write", 0, wsize(4)) + runs(4) + op("read_stop", 1)
    + op("write", 0, wsize(3)) + runs(1) + op("read_alloc", 1, 0) + runs(2),
    "keep-release": bytes([0x01, 2]) + op("keep_mode", 1, 1)
    + op("read_pool", 1) + op("write", 0, wsize(4)) + runs(3)
    + op("release", 0, 0) + op("release", 0, 0xf4) + runs(3)
    + op("keep_outside", 1) + op("release", 0, 0xf0),
    "arm-close-in-read": bytes([0x02, 0])
    + op("arm", 1, 0, "close", 1, 0) + op("read_pool", 1)
    + op("write", 0, wsize(4, 4)) + runs(3) + op("write", 0, wsize(3))
    + runs(2),
    "arm-write-in-write-cb": bytes([0, 0])
    + op("arm", 2, 0, "write", 0, wsize(5, 6)) + op("write", 0, wsize(3))
    + op("read_pool", 1) + runs(4),
    "try-write": bytes([0x80, 1]) + op("try_write", 0, wsize(6, 2))
    + op("read_pool", 1) + runs(2) + op("write", 0, wsize(7))
    + op("try_write", 0, wsize(2)) + runs(3) + op("try_write", 1, wsize(1)),
    "reopen": bytes([0, 0]) + op("close", 0) + op("close", 1) + runs(2)
    + op("reopen") + op("read_pool", 0) + op("write", 1, wsize(4)) + runs(2),
    "mode-switch": bytes([0x05, 0]) + op("read_pool", 1)
    + op("write", 0, wsize(5)) + op("read_stop", 1) + runs(1)
    + op("read_alloc", 1, 4) + runs(1) + op("read_stop", 1)
    + op("read_pool", 1) + runs(2),
    "small-sq-many-writes": bytes([0x40, 0])
    + op("write_small", 0, wsize(3, 8)) * 10 + op("read_pool", 1) + runs(5),
    "zero-alloc-buffer": bytes([0, 0]) + op("read_alloc", 1, 6)
    + op("read_pool", 1) + op("write", 0, wsize(3)) + runs(2)
    + op("close", 1) + runs(2),
    # a repeating timer restarted early in an iteration, due before an
    # older one: ONCE must still run the older one (fixed in 71e29e0)
    "regress-once-due-timers": bytes([0x00, 0])
    + op("timer_start", 1, timer(5, 0)) + op("timer_start", 0, timer(0, 1))
    + op("run_once") * 4 + op("timer_stop", 0) + runs(1),
    "timer-closes-stream": bytes([0x30, 0])
    + op("arm", 4, 0, "close", 0, 0) + op("timer_start", 0, timer(2, 0))
    + op("read_pool", 0) + op("write", 1, wsize(5)) + op("run_once")
    + op("run_once") + runs(2),
}

if __name__ == "__main__":
    d = sys.argv[1] if len(sys.argv) > 1 else "corpus/api"
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
