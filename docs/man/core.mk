## man pages: core
