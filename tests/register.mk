## Registration, provided buffer rings, restrictions.
