"""Cross-cutting HTTP: log-in wiring, locale, template filters, error pages, security headers."""
