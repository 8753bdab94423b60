"""The API's resources, one blueprint per domain, and the page documenting them."""

from registry.api.views import decisions, docs, households, payments, people

BLUEPRINTS = (households.bp, people.bp, decisions.bp, payments.bp)

__all__ = ["BLUEPRINTS", "docs"]
