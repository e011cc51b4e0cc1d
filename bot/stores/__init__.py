"""Stores: state kept outside one process (the database), behind small interfaces chosen by URL."""
