"""Synthetic demonstration data: households, people and one user per role."""
