"""ecosim: an agent-based policy laboratory for a regional sci-tech finance ecosystem."""

__version__ = "0.1.0"
