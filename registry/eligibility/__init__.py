"""The law as code: dated parameters and small pure rules (no Flask, database or clock)."""
