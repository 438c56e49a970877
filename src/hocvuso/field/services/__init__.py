"""Writes of the field app, one module per noun."""
