"""Long jobs (a large import…) run off the request: one small interface, in-process by default."""
