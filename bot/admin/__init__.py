"""Admin services the handlers and the CLI call: drafts, admins, taking in sources, OPML."""
