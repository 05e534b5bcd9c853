"""Shared pytest configuration.

Hypothesis runs derandomized by default, so the suite gives the same verdict
on every run (CI must not pass or fail by luck); ``HYPOTHESIS_PROFILE=explore``
searches with fresh random examples instead.
"""

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
