"""Widgets of the reader: they receive data and post messages, they do no I/O."""
