"""Payments: the monthly payment run, its files and their reconciliation."""
