"""Households (hộ gia đình), their head, members and yearly poverty status."""
