"""Risk sharing: the guarantee chain (national, provincial, municipal tiers), the risk-compensation pool and the resolution of defaults."""
