"""The package students import: data, the demo network, plots, widgets and quick checks.

It never imports the hidden packages ``solutions`` or ``grader``.
"""
