"""pytest fixtures for the loopback DNS lab (owned by the probe work; see tests/lab/__init__.py)."""
