"""Benchmarks printed by ``make bench``: numbers, not pass/fail."""
