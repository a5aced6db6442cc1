"""The government: its budget account, grants and top-ups."""
