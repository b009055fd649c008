## man pages: register
