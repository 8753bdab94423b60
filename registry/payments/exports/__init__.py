"""Pure payment-file writers: payment lines in, file bytes out (no Flask, database or clock)."""
