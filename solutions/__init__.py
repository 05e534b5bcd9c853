"""The hidden reference library: one module per lesson, pure NumPy.

Students never see this package.  The grader compares their functions with
the ones here; the tests compare the ones here with independent oracles
(finite differences, PyTorch, closed forms and the worked numbers of the
curriculum).
"""
