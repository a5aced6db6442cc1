"""Equity: guidance funds (mother and sub-funds), private venture capital, holdings, investing and exits."""
