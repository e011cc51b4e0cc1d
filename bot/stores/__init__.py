"""Stores: where state that outlives one request is kept (in the process by default, in Redis when several
instances must act as one bot; installations and settings in the database, chosen by URL)."""
