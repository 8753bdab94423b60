"""Importing a commune's Excel or CSV list of households and people (issue 5)."""
