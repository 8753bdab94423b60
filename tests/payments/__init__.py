"""Tests for the payment domain."""
