"""Entitlements: the eligibility engine fed from the registry's records (adapter and use cases)."""
