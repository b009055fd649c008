## man pages: prep
