"""Backing up the whole database and restoring it, each checked against a manifest."""
