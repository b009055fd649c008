## Prep helpers: one test per opcode family against the running kernel.
