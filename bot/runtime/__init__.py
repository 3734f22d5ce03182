"""Process plumbing every part uses: the clock, the garbage collector's set-up, safe logging."""
