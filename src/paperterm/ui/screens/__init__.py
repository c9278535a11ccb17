"""Screens and modals of the reader."""
