"""Property groups shared by several graded functions."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .compare import mismatch
from .spec import Case, Property, Runner, Spec, failed_call

SEED = 20261123


def _global_state() -> tuple:
    state = np.random.get_state()
    return (int(state[2]), bytes(np.asarray(state[1]).tobytes()))


def _same(a, b) -> bool:
    """Exactly equal results (arrays, numbers or tuples of them); other values by equality."""
    try:
        return mismatch(a, b, rtol=0, atol=0) is None
    except TypeError:  # b is not something mismatch compares (None, an object...)
        return type(a) is type(b) and repr(a) == repr(b)


def rng_discipline(case: Case, *, rng_arg: str = "rng", mistake: str | None = None) -> Property:
    """Randomness only through the ``rng`` argument.

    The same seed must give the same result, two seeds different results, and
    NumPy's global generator must be left alone.
    """

    def probe(run: Runner, spec: Spec):
        before = _global_state()
        same1 = run(case.args, {**case.kwargs, rng_arg: np.random.default_rng(SEED)})
        same2 = run(case.args, {**case.kwargs, rng_arg: np.random.default_rng(SEED)})
        other = run(case.args, {**case.kwargs, rng_arg: np.random.default_rng(SEED + 1)})
        after = _global_state()
        return {"same1": same1, "same2": same2, "other": other, "global_touched": before != after}

    def judge(data, spec: Spec):
        what = spec.call_text(case)
        for key in ("same1", "same2", "other"):
            problem = failed_call(data[key], what)
            if problem:
                return problem
            if data[key].value is None:
                return f"{what} returned None: return the result"
        if data["global_touched"]:
            return (f"{what} used NumPy's global random generator (np.random.*); draw every random "
                    f"number from the `{rng_arg}` argument, e.g. `{rng_arg}.random(...)` or `{rng_arg}.normal(...)`")
        if not _same(data["same2"].value, data["same1"].value):
            return (f"two calls with generators seeded alike gave different results: draw every "
                    f"random number from the `{rng_arg}` argument")
        if _same(data["other"].value, data["same1"].value):
            return (f"generators with different seeds gave the same result: the function does "
                    f"not use its `{rng_arg}` argument")
        return None

    return Property("draws its randomness from `rng` only", probe, judge, mistake)


def samples(run: Runner, case: Case, draws: int, *, rng_arg: str = "rng",
            post: Callable | None = None) -> list:
    """Call the function ``draws`` times with fresh seeds; return the outcomes."""
    return [run(case.args, {**case.kwargs, rng_arg: np.random.default_rng(SEED + 7 * i)}, post=post)
            for i in range(draws)]
