"""Startups: their state columns, their Mesa handles and the monthly phases that move them."""
