"""Hostile-input suite: files made by code that try to break loading and the batch."""
