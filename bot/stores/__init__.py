"""Stores: state that outlives a request (settings), behind small interfaces, in the database SQLAlchemy names."""
