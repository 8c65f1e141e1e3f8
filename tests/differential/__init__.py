"""Differential tests: documents rendered as PDF, Word and HTML give the facts of their text."""
