## docs/man: one page per public function (section 3), aliases as .so pages.
## Each area lists its pages in its own fragment.
include docs/man/core.mk
include docs/man/prep.mk
include docs/man/register.mk
include docs/man/loop.mk
include docs/man/signal.mk
include docs/man/stream.mk
include docs/man/fs.mk
include docs/man/work.mk
include docs/man/udp.mk
