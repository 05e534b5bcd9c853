"""Demos that train on real data with the student's own functions, one module per lesson topic."""
