"""Shared pytest configuration: every test module carries a lesson marker."""
