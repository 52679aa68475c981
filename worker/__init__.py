"""Everything of Stridewise that does I/O: configuration, database, Strava, queue, web, CLI."""
