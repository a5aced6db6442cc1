"""Outputs: monthly metrics, run files and figures."""
