"""Checks and mistakes for lesson 03, mini-batch gradient descent (reference: ``solutions.batching``).

``linear_mse_grad`` and ``sgd_step`` are deterministic and compared with the
reference.  The three functions that shuffle are graded without ever matching
the reference's random draws:

``shuffle_data``
    every row comes back once, with its own target; randomness only from
    ``rng``; all 24 orders of 4 samples equally likely (a chi-square test).
``minibatches``
    without ``rng`` the batches are compared with the reference (consecutive
    slices, the last one smaller); with ``rng`` every pass must cover each
    sample exactly once with its target, a new order must come on every call,
    and all orders must be equally likely.  The returned iterable is consumed
    inside the guarded call (``Spec.post``), at most :data:`MAX_BATCHES`
    batches, so a generator's body runs under the time limit and an endless
    generator cannot hang the grader.
``train_minibatch_sgd``
    with one batch holding all the data it is plain gradient descent and is
    compared with the reference at a tolerance of 1e-10 (the order of the
    samples, which a student may still shuffle, only changes the rounding).
    With smaller batches it is judged by properties: the losses are the
    full-data MSE after each epoch; it approaches the least-squares solution
    (``np.linalg.lstsq``) for a small learning rate; on the identity design
    ``X = I`` one epoch touches each weight exactly once with its own target
    (a weight left at 0 is a sample never visited); the end-of-epoch losses
    keep fluctuating when the data are reshuffled every epoch, and settle on a
    fixed cycle when the order is the same every epoch; the seed decides the
    path.

Rows of the inputs used for the properties carry their own index in column 0
(``X[:, 0] = arange(n)``), so which sample went where, and with which target,
can be read from the returned arrays alone.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import numpy as np

from ..calls import Outcome
from ..compare import describe, mismatch
from ..properties import SEED, samples
from ..spec import Case, Compare, Mistake, Property, Raises, Runner, Spec, Verdict, failed_call
from ..stats import chi2_uniform_problem
from ..spec import reference_module

#: The hidden reference; a stand-in that refuses to run in a kernel without ``solutions``.
ref = reference_module("batching")

_rng = np.random.default_rng(303)

#: At most this many batches are read from what ``minibatches`` returns (an endless generator stops here).
MAX_BATCHES = 100


# --- helpers shared by the specs ------------------------------------------------------------------

def _global_permutation(n: int) -> np.ndarray:
    """A permutation from NumPy's hidden global generator: the catalogued mistake "global-generator".

    The project forbids ``np.random.<function>`` everywhere (tests/test_layout.py) except on
    lines marked as this catalogued mistake; the mistake functions below all use this one.
    """
    return np.random.permutation(n)  # catalogued mistake: global generator


def _indexed(n: int, d: int, *, labels: str = "float") -> tuple[np.ndarray, np.ndarray]:
    """Random ``X`` of shape (n, d) whose column 0 is the row's index, and targets ``y``.

    ``labels`` is ``"float"`` (real targets), ``"int"`` (distinct integer
    labels) or ``"onehot"`` (a 2-D ``y`` of shape (n, 3)).
    """
    X = _rng.normal(size=(n, d))
    X[:, 0] = np.arange(n)
    if labels == "float":
        y = _rng.normal(size=n)
    elif labels == "int":
        y = _rng.permutation(n).astype(np.int64)
    else:
        y = np.eye(3)[_rng.integers(0, 3, size=n)]
    return X, y


def _few(items, limit: int = 12) -> str:
    items = list(items)
    text = ", ".join(str(i) for i in items[:limit])
    return f"[{text}{', ...' if len(items) > limit else ''}]"


def _row_ids(Xb: Any, X: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """The original row index of every row of ``Xb`` (column 0), or a sentence saying what is wrong."""
    if not isinstance(Xb, np.ndarray) or Xb.ndim != 2 or Xb.shape[1] != X.shape[1]:
        return None, f"is {describe(Xb)}, expected rows of X (an array with {X.shape[1]} columns)"
    if Xb.dtype.kind not in "fiu" or not np.all(np.isfinite(Xb)):
        return None, "holds values that are not rows of X"
    ids = Xb[:, 0]
    if np.any(ids % 1) or np.any(ids < 0) or np.any(ids >= X.shape[0]):
        return None, "holds rows that are not rows of X"
    ids = ids.astype(np.int64)
    if not np.array_equal(Xb, X[ids]):
        return None, "holds rows that are not rows of X (their entries were changed or mixed up)"
    return ids, None


def _paired(ids: np.ndarray, yb: Any, y: np.ndarray) -> bool:
    return (isinstance(yb, np.ndarray) and yb.shape == y[ids].shape and yb.dtype.kind in "fiub"
            and np.array_equal(yb, y[ids]))


# ==================================================================================================
# shuffle_data
# ==================================================================================================

def _shuffle_order(value: Any, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray | None, Any]:
    """The permutation ``perm`` with ``value == (X[perm], y[perm])``, or ``(None, problem)``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None, f"returned {describe(value)}, expected a pair (X_shuffled, y_shuffled)"
    Xs, ys = value
    if not isinstance(Xs, np.ndarray) or Xs.shape != X.shape:
        return None, f"X_shuffled is {describe(Xs)}, expected an array of shape {X.shape} like X"
    if not isinstance(ys, np.ndarray) or ys.shape != y.shape:
        return None, f"y_shuffled is {describe(ys)}, expected an array of shape {y.shape} like y"
    ids, problem = _row_ids(Xs, X)
    if problem:
        return None, f"X_shuffled {problem}"
    counts = np.bincount(ids, minlength=X.shape[0])
    if np.any(counts != 1):
        twice = np.flatnonzero(counts > 1)
        missing = np.flatnonzero(counts == 0)
        return None, (f"sample(s) {_few(twice)} of X appear more than once and {_few(missing)} not "
                      "at all: a shuffle must return every sample exactly once", "with-replacement")
    if not _paired(ids, ys, y):
        detail = ("rows of X_shuffled no longer sit next to their own targets in y_shuffled "
                  "(X and y were reordered differently)")
        if np.array_equal(ys, y):
            return None, (detail + "; y_shuffled is y in its original order", "y-not-shuffled")
        return None, (detail, "separate-permutations")
    return ids, None


_SHUFFLE_CASES = (
    ("7 samples, 3 features", *_indexed(7, 3)),
    ("one sample", *_indexed(1, 2)),
    ("12 samples, 1 feature, integer labels", *_indexed(12, 1, labels="int")),
    ("6 samples, one-hot targets of shape (6, 3)", *_indexed(6, 2, labels="onehot")),
    ("40 samples, more features than needed", *_indexed(40, 5)),
)


def _shuffle_call(X, y, seed):
    return Case((X, y), {"rng": np.random.default_rng(seed)})


def _probe_shuffle_perm(run: Runner, spec: Spec):
    return [run.case(_shuffle_call(X, y, SEED + i)) for i, (_, X, y) in enumerate(_SHUFFLE_CASES)]


def _judge_shuffle_perm(data, spec: Spec):
    for (label, X, y), outcome in zip(_SHUFFLE_CASES, data):
        what = spec.call_text(_shuffle_call(X, y, 0)) + f" ({label})"
        problem = failed_call(outcome, what)
        if problem:
            return problem
        ids, problem = _shuffle_order(outcome.value, X, y)
        if ids is None:
            detail, key = problem if isinstance(problem, tuple) else (problem, None)
            return f"{what}: {detail}", key
    return None


def _identical(a: Any, b: Any) -> bool:
    """Two returned values are exactly equal (False when they cannot be compared)."""
    try:
        return mismatch(a, b, rtol=0, atol=0) is None
    except TypeError:  # e.g. None or an object where arrays were expected
        return False


def _rng_discipline(title: str, args: tuple, kwargs: dict, order: Callable[[Any], Any] | None,
                    *, same_key: str, no_shuffle_key: str = "no-shuffle",
                    valid: Callable[[Any], str | None] | None = None) -> Property:
    """Randomness only from ``rng``: same seed, same result; other seed, other result; global state untouched.

    ``order(value)`` reads the order of the samples from a result (``None``
    when unreadable); when two seeds give the same result, an unshuffled
    order points to ``no_shuffle_key`` and a shuffled one to ``same_key``
    (a generator made inside the function with a fixed seed).  ``valid``
    (used when there is no ``order``) returns a sentence when a result is
    not of the expected form; such results are left to the other checks.
    """
    case = Case(args, {**kwargs, "rng": np.random.default_rng(0)})

    def probe(run: Runner, spec: Spec):
        state = np.random.get_state()
        before = (int(state[2]), np.asarray(state[1]).tobytes())
        outs = [run(args, {**kwargs, "rng": np.random.default_rng(seed)})
                for seed in (SEED, SEED, SEED + 1)]
        state = np.random.get_state()
        after = (int(state[2]), np.asarray(state[1]).tobytes())
        return {"outcomes": outs, "global_touched": before != after}

    def judge(data, spec: Spec):
        what = spec.call_text(case)
        same1, same2, other = data["outcomes"]
        for outcome in (same1, same2, other):
            problem = failed_call(outcome, what)
            if problem:
                return problem
        if data["global_touched"]:
            return (f"{what} used NumPy's global random generator (np.random.*)", "global-generator")
        problem = (valid(same1.value) if valid is not None else
                   None if order is None or order(same1.value) is not None else
                   f"returned {describe(same1.value)}")
        if problem:
            return f"{what}: {problem}, so this could not be checked (see the checks above)"
        if not _identical(same2.value, same1.value):
            return (f"two calls of {what} with generators seeded alike gave different results: "
                    "draw every random number from the `rng` argument")
        if _identical(other.value, same1.value):
            seen = None if order is None else order(same1.value)
            if seen is not None and np.array_equal(seen, np.arange(len(seen))):
                return (f"{what} gave the same result for generators seeded differently: it keeps "
                        "the samples in their original order", no_shuffle_key)
            return (f"{what} gave the same result for generators seeded differently: the result "
                    "does not depend on the `rng` argument", no_shuffle_key if order is None else same_key)
        return None

    return Property(title, probe, judge)


def _uniform_orders(title: str, args: tuple, order: Callable[[Any], Any], n: int, draws: int, *,
                    fixed_key: str, block: int | None = None) -> Property:
    """All ``n!`` orders equally likely over ``draws`` calls with fresh seeds (a chi-square test).

    A result that never leaves the original order points to the mistake
    ``no-shuffle``, one that is always the same other order to ``fixed_key``,
    and rotations of the original order only to ``rotation`` (when the spec
    catalogues it); with ``block`` set, results whose first ``block`` samples
    always come from one original block point to ``shuffle-batch-order``.
    """
    case = Case(args, {})
    perms = {p: i for i, p in enumerate(itertools.permutations(range(n)))}

    def probe(run: Runner, spec: Spec):
        return samples(run, case, draws)

    def judge(data, spec: Spec):
        what = spec.call_text(Case(args, {"rng": np.random.default_rng(0)}))
        counts = np.zeros(len(perms))
        for outcome in data:
            problem = failed_call(outcome, what)
            if problem:
                return problem
            seen = order(outcome.value)
            key = None if seen is None else perms.get(tuple(int(i) for i in seen))
            if key is None:
                return (f"{what} returned {describe(outcome.value)}, which is not the samples of X "
                        "each once (see the checks above)")
            counts[key] += 1
        if counts[perms[tuple(range(n))]] == draws:
            return (f"{draws} calls of {what} with different seeds all kept the original order: "
                    "nothing was shuffled", "no-shuffle")
        problem = chi2_uniform_problem(counts)
        if problem is None:
            return None
        seen = int(np.count_nonzero(counts))
        if seen == 1:
            return (f"{draws} calls of {what} with different seeds all gave the same order "
                    f"{list(next(p for p, c in zip(perms, counts) if c))}", fixed_key)
        detail = (f"over {draws} calls of {what} with different seeds, {seen} of the {len(perms)} "
                  f"possible orders of the {n} samples appeared, not equally often: {problem}")
        seen_orders = [p for p, c in zip(perms, counts) if c]
        rotations = {tuple(np.roll(np.arange(n), -k)) for k in range(n)}
        if all(p in rotations for p in seen_orders) and any(m.key == "rotation" for m in spec.mistakes):
            return detail + "; every order was a rotation of the original one", "rotation"
        if block is not None:
            blocks = {frozenset(range(s, min(s + block, n))) for s in range(0, n, block)}
            if seen > 1 and all(frozenset(p[:block]) in blocks for p in seen_orders):
                return (detail + f"; the samples of each batch of {block} always stay together",
                        "shuffle-batch-order")
        return detail

    return Property(title, probe, judge)


def _shuffle_ids(value: Any) -> np.ndarray | None:
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[0], np.ndarray):
        Xs = value[0]
        if Xs.ndim == 2 and Xs.shape[1] >= 1:
            return Xs[:, 0].astype(np.int64)
    return None


_X_RNG, _Y_RNG = _indexed(9, 2)
_X4 = np.column_stack([np.arange(4.0), [0.5, -1.5, 2.0, 0.25]])
_Y4 = np.array([3.0, 1.0, 4.0, 1.5])


def _sh_separate(X, y, *, rng):
    return X[rng.permutation(len(X))], y[rng.permutation(len(y))]


def _sh_x_only(X, y, *, rng):
    return X[rng.permutation(len(X))], y.copy()


def _sh_replacement(X, y, *, rng):
    idx = rng.choice(len(X), size=len(X))  # replace=True is choice's default
    return X[idx], y[idx]


def _sh_no_shuffle(X, y, *, rng):
    return X.copy(), y.copy()


def _sh_global(X, y, *, rng):
    perm = _global_permutation(len(X))
    return X[perm], y[perm]


def _sh_rotation(X, y, *, rng):
    k = int(rng.integers(len(X)))
    return np.roll(X, k, axis=0), np.roll(y, k, axis=0)


SHUFFLE_DATA = Spec(
    name="shuffle_data",
    reference=ref.shuffle_data,
    outputs=("X_shuffled", "y_shuffled"),
    groups=(
        Property("returns every sample exactly once, each row still with its own target",
               _probe_shuffle_perm, _judge_shuffle_perm),
        _rng_discipline("draws its randomness from `rng` only (same seed, same order; another seed, "
                        "another order)", (_X_RNG, _Y_RNG), {}, _shuffle_ids, same_key="no-shuffle"),
        _uniform_orders("all 24 orders of 4 samples are equally likely", (_X4, _Y4), _shuffle_ids,
                        n=4, draws=360, fixed_key="no-shuffle"),
    ),
    mistakes=(
        Mistake("separate-permutations", "X and y must be reordered by ONE permutation, or each "
                "sample loses its target: perm = rng.permutation(len(X)); return X[perm], y[perm].",
                _sh_separate, matchable=False),
        Mistake("y-not-shuffled", "reorder y together with X (with the same permutation); a shuffled "
                "X next to an unshuffled y pairs each sample with another sample's target.",
                _sh_x_only, matchable=False),
        Mistake("with-replacement", "you draw indices with replacement (rng.integers or rng.choice "
                "with its default replace=True), so some samples repeat and others vanish; use a "
                "permutation: rng.permutation(len(X)).", _sh_replacement, matchable=False),
        Mistake("no-shuffle", "the order must come from the `rng` argument: draw "
                "perm = rng.permutation(len(X)) from the generator you are given (not a new one "
                "with a fixed seed) and index X and y with it.", _sh_no_shuffle, matchable=False),
        Mistake("global-generator", "use the `rng` argument (rng.permutation), not NumPy's global "
                "generator np.random.*: results must be reproducible from the seed alone.",
                _sh_global, matchable=False),
        Mistake("rotation", "rotating the data by a random offset (np.roll) is not a shuffle: only "
                "n of the n! orders can appear. Use rng.permutation(len(X)).", _sh_rotation,
                matchable=False),
    ),
)

# ==================================================================================================
# minibatches
# ==================================================================================================

def _consume(value: Any) -> Any:
    """Read at most MAX_BATCHES items from the returned iterable (inside the guarded call).

    Arrays are copied as they arrive, as a training loop would use them
    before asking for the next batch.  A value that is not iterable is
    returned as it is, for the judge to report.
    """
    try:
        items = iter(value)
    except TypeError:
        return value
    out = []
    for item in itertools.islice(items, MAX_BATCHES):
        if isinstance(item, (tuple, list)):
            item = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in item)
        out.append(item)
    return out


def _sizes(batches: list) -> list:
    return [len(b[0]) if isinstance(b, tuple) and len(b) == 2 and hasattr(b[0], "__len__") else "?"
            for b in batches]


def _batch_list_problem(received: Any, expected: list) -> str | None:
    """``None`` if the batches match, else a sentence about the first difference."""
    if not isinstance(received, list):
        return (f"returned {describe(received)}, expected an iterable (a list or a generator) of "
                "(X_batch, y_batch) pairs")
    for i, item in enumerate(received):
        if not (isinstance(item, tuple) and len(item) == 2):
            return f"batch {i} is {describe(item)}, expected a pair (X_batch, y_batch)"
    if len(received) != len(expected):
        more = " (stopped reading there)" if len(received) == MAX_BATCHES else ""
        return (f"gave {len(received)} batches{more} of sizes {_few(_sizes(received))}, expected "
                f"{len(expected)} of sizes {_few(_sizes(expected))}")
    for i, (r, e) in enumerate(zip(received, expected)):
        problem = mismatch(r, e, outputs=("X_batch", "y_batch"))
        if problem:
            return f"batch {i}: {problem}"
    return None


class _BatchCompare(Compare):
    """Compare the batches (rng=None) with the reference's, with messages about batch counts and sizes."""

    def judge(self, data: list[Outcome], spec: Spec) -> Verdict:
        for case, outcome in zip(self.cases, data):
            what = spec.call_text(case)
            problem = failed_call(outcome, what)
            if problem:
                return Verdict(self.title, False, problem)
            received = outcome.value
            problem = _batch_list_problem(received, spec.expected(case))
            if problem:
                mistake = spec.diagnose(case, received, rtol=spec.rtol, atol=spec.atol)
                return Verdict(self.title, False, f"{what}: {problem}", mistake)
        return Verdict(self.title, True)


def _pass_problem(value: Any, X: np.ndarray, y: np.ndarray, batch_size: int) -> Any:
    """``None`` if ``value`` is one pass of mini-batches over (X, y), else a sentence (and a mistake key)."""
    n = X.shape[0]
    if not isinstance(value, list):
        return f"returned {describe(value)}, expected an iterable of (X_batch, y_batch) pairs"
    all_ids = []
    for i, item in enumerate(value):
        if not (isinstance(item, tuple) and len(item) == 2):
            return f"batch {i} is {describe(item)}, expected a pair (X_batch, y_batch)"
        ids, problem = _row_ids(item[0], X)
        if problem:
            return f"X_batch of batch {i} {problem}"
        if not _paired(ids, item[1], y):
            return (f"in batch {i}, the rows of X_batch no longer sit next to their own targets in "
                    "y_batch (X and y were reordered differently)", "separate-permutations")
        all_ids.append(ids)
    ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
    counts = np.bincount(ids, minlength=n)
    if np.any(counts > 1):
        return (f"sample(s) {_few(np.flatnonzero(counts > 1))} appear more than once in one pass "
                f"(and {_few(np.flatnonzero(counts == 0))} never)", "with-replacement")
    sizes = _sizes(value)
    full, rest = divmod(n, batch_size)
    expected = [batch_size] * full + ([rest] if rest else [])
    if sizes != expected:
        detail = (f"gave batches of sizes {_few(sizes)}, expected {_few(expected)} "
                  f"(every sample once, batches of {batch_size}, the last one smaller)")
        if rest and sizes == [batch_size] * full:
            return detail + f": the last {rest} sample(s) are missing", "drop-last"
        return detail
    return None


_PASS_CASES = (
    ("n=10, batch_size=3", *_indexed(10, 3), 3),
    ("n=12, batch_size=4", *_indexed(12, 2), 4),
    ("batch_size larger than n", *_indexed(5, 2), 8),
    ("one sample", *_indexed(1, 3), 1),
    ("n=9, batch_size=1, integer labels", *_indexed(9, 2, labels="int"), 1),
    ("n=8, batch_size=3, one-hot targets", *_indexed(8, 2, labels="onehot"), 3),
)


def _mb_case(X, y, batch_size, seed=0):
    return Case((X, y, batch_size), {"rng": np.random.default_rng(seed)})


def _probe_passes(run: Runner, spec: Spec):
    return [run.case(_mb_case(X, y, bs, SEED + i)) for i, (_, X, y, bs) in enumerate(_PASS_CASES)]


def _judge_passes(data, spec: Spec):
    for (label, X, y, bs), outcome in zip(_PASS_CASES, data):
        what = spec.call_text(_mb_case(X, y, bs))
        problem = failed_call(outcome, what)
        if problem:
            return problem
        problem = _pass_problem(outcome.value, X, y, bs)
        if problem:
            detail, key = problem if isinstance(problem, tuple) else (problem, None)
            return f"{what} ({label}): {detail}", key
    return None


def _batch_ids(value: Any) -> np.ndarray | None:
    """The original indices of the samples in the order the batches give them (column 0 of X)."""
    if not isinstance(value, list):
        return None
    parts = []
    for item in value:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], np.ndarray)
                and item[0].ndim == 2 and item[0].shape[1] >= 1):
            return None
        parts.append(item[0][:, 0])
    return np.concatenate(parts).astype(np.int64) if parts else None


_X_NEW, _Y_NEW = _indexed(20, 2)


def _probe_new_order(run: Runner, spec: Spec):
    rng = np.random.default_rng(SEED)
    return [run((_X_NEW, _Y_NEW, 6), {"rng": rng}) for _ in range(2)]


def _judge_new_order(data, spec: Spec):
    what = spec.call_text(_mb_case(_X_NEW, _Y_NEW, 6))
    for outcome in data:
        problem = failed_call(outcome, what)
        if problem:
            return problem
    first, second = (_batch_ids(o.value) for o in data)
    if first is None or second is None:
        return (f"{what} returned {describe(data[0].value)}, not batches of rows of X, so this could "
                "not be checked (see the checks above)")
    if np.array_equal(first, np.arange(len(first))):
        return None  # nothing shuffled at all: reported by the other checks
    if np.array_equal(first, second):
        return (f"two calls of {what} with the same generator (two epochs) gave the same order "
                f"{_few(first, 8)}; each call must draw a new permutation from `rng`", "same-order")
    return None


_X_EDGE = np.arange(20.0).reshape(10, 2)
_Y_EDGE = np.arange(10.0) * 10 + 1


def _mb_drop_last(X, y, batch_size, *, rng=None):
    if rng is not None:
        perm = rng.permutation(len(X))
        X, y = X[perm], y[perm]
    for start in range(0, len(X) - batch_size + 1, batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _mb_count_not_size(X, y, batch_size, *, rng=None):
    idx = np.arange(len(X)) if rng is None else rng.permutation(len(X))
    return [(X[part], y[part]) for part in np.array_split(idx, batch_size)]


def _mb_separate(X, y, batch_size, *, rng=None):
    if rng is not None:
        X, y = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _mb_replacement(X, y, batch_size, *, rng=None):
    idx = np.arange(len(X)) if rng is None else rng.integers(0, len(X), size=len(X))
    for start in range(0, len(X), batch_size):
        part = idx[start:start + batch_size]
        yield X[part], y[part]


def _mb_same_order(X, y, batch_size, *, rng=None):
    if rng is not None:
        perm = np.random.default_rng(0).permutation(len(X))  # the same order on every call
        X, y = X[perm], y[perm]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _mb_no_shuffle(X, y, batch_size, *, rng=None):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _mb_global(X, y, batch_size, *, rng=None):
    if rng is not None:
        perm = _global_permutation(len(X))
        X, y = X[perm], y[perm]
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _mb_batch_order(X, y, batch_size, *, rng=None):
    batches = [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(X), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def _mb_no_check(X, y, batch_size, *, rng=None):
    idx = np.arange(len(X)) if rng is None else rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        part = idx[start:start + batch_size]
        yield X[part], y[part]


def _mb_lazy_check(X, y, batch_size, *, rng=None):
    if batch_size < 1:  # in a generator function: runs only when the first batch is asked for
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    idx = np.arange(len(X)) if rng is None else rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        part = idx[start:start + batch_size]
        yield X[part], y[part]


def _kind(value: Any) -> str:
    """The type of what a call returned, without iterating over it."""
    return type(value).__name__


def _probe_raises_at_once(run: Runner, spec: Spec):
    return {"called": run((_X_EDGE, _Y_EDGE, 0), post=_kind), "iterated": run((_X_EDGE, _Y_EDGE, 0))}


def _judge_raises_at_once(data, spec: Spec):
    called, iterated = data["called"], data["iterated"]
    if "ValueError" in called.error_types or "ValueError" not in iterated.error_types:
        return None  # raises at once, or not at all (the check above reports that)
    return (f"{spec.call_text(Case((_X_EDGE, _Y_EDGE, 0)))} returned a {called.value} without raising: the "
            "ValueError came only when the first batch was asked for", "lazy-check")


MINIBATCHES = Spec(
    name="minibatches",
    reference=ref.minibatches,
    post=_consume,
    groups=(
        _BatchCompare("without rng: consecutive batches in the original order, the last one smaller", [
            Case((_X_EDGE, _Y_EDGE, 3), label="10 samples in batches of 3, 3, 3, 1"),
            Case((_X_EDGE, _Y_EDGE, 5), label="batch_size divides n"),
            Case((_X_EDGE[:7], _Y_EDGE[:7], 1), label="batch_size 1"),
            Case((_X_EDGE[:4], _Y_EDGE[:4], 10), label="batch_size larger than n: one batch"),
            Case((_X_EDGE[:6], _Y_EDGE[:6], 6), label="batch_size equal to n"),
            Case((_X_EDGE[:1], _Y_EDGE[:1], 1), label="one sample"),
        ]),
        _BatchCompare("without rng: random data of several shapes, integer and one-hot targets", [
            Case((_rng.normal(size=(23, 4)), _rng.normal(size=23), 5)),
            Case((_rng.normal(size=(16, 1)), _rng.integers(0, 10, size=16), 4), label="integer labels"),
            Case((_rng.normal(size=(11, 3)), np.eye(4)[_rng.integers(0, 4, size=11)], 2),
                 label="one-hot targets"),
            Case((_rng.normal(size=(50, 2)), _rng.normal(size=50), 32)),
        ]),
        Raises("batch_size < 1 raises ValueError", [
            Case((_X_EDGE, _Y_EDGE, 0)),
            Case((_X_EDGE, _Y_EDGE, -2)),
        ], mistake="no-batch-size-check"),
        Property("batch_size < 1 raises when minibatches is called, before any batch is asked for",
                 _probe_raises_at_once, _judge_raises_at_once),
        Property("with rng: one pass gives every sample exactly once, with its own target, in batches "
               "of batch_size (the last one smaller)", _probe_passes, _judge_passes),
        _rng_discipline("with rng: the order comes from `rng` only (same seed, same batches; another "
                        "seed, another order)", (_X_RNG, _Y_RNG, 4), {}, _batch_ids,
                        same_key="same-order"),
        Property("with rng: every call (every epoch) draws a new order", _probe_new_order,
               _judge_new_order),
        _uniform_orders("with rng: all 24 orders of 4 samples are equally likely", (_X4, _Y4, 2),
                        _batch_ids, n=4, draws=360, fixed_key="same-order", block=2),
    ),
    mistakes=(
        Mistake("drop-last", "when batch_size does not divide n_samples, the last batch holds the "
                "n_samples % batch_size left-over samples: keep it. `range(0, n, batch_size)` "
                "with `X[start:start + batch_size]` gives it for free, and also the single batch "
                "when batch_size > n_samples.", _mb_drop_last),
        Mistake("count-not-size", "batch_size is the number of samples in each batch, not the "
                "number of batches: np.array_split(X, batch_size) cuts the data into batch_size "
                "pieces. Slice X[start:start + batch_size] for start in range(0, n, batch_size).",
                _mb_count_not_size),
        Mistake("no-batch-size-check", "check batch_size before making batches: "
                "`if batch_size < 1: raise ValueError(f\"batch_size must be >= 1, got "
                "{batch_size}\")`. With a negative step, range() silently gives no batches at all.",
                _mb_no_check, matchable=False),
        Mistake("lazy-check", "check batch_size when minibatches is called, not in the body of a "
                "generator: a function that contains `yield` runs none of its lines until the first batch "
                "is asked for, so minibatches(X, y, 0) returned without an error. Build and return the "
                "list of batches, or check first and then return a generator.",
                _mb_lazy_check, matchable=False),
        Mistake("separate-permutations", "shuffle X and y with ONE permutation "
                "(perm = rng.permutation(n); X[perm], y[perm]); two different permutations separate "
                "each sample from its target.", _mb_separate, matchable=False),
        Mistake("with-replacement", "a pass must use every sample exactly once: cut a permutation "
                "(rng.permutation(n)) into batches instead of drawing indices with replacement "
                "(rng.integers, or rng.choice with its default replace=True).", _mb_replacement,
                matchable=False),
        Mistake("same-order", "every call must shuffle anew with the generator you are given: "
                "perm = rng.permutation(n) inside minibatches. A generator created inside the function "
                "with a fixed seed gives the same order every epoch.", _mb_same_order,
                matchable=False),
        Mistake("no-shuffle", "when an rng is given, shuffle the samples first: "
                "perm = rng.permutation(n), then cut X[perm] and y[perm] into batches.",
                _mb_no_shuffle, matchable=False),
        Mistake("global-generator", "use the `rng` argument (rng.permutation), not NumPy's global "
                "generator np.random.*: the batches must be reproducible from the seed alone.",
                _mb_global, matchable=False),
        Mistake("shuffle-batch-order", "you shuffle the order of the batches, but each batch still "
                "holds the same neighbouring samples; permute the samples first, then cut them "
                "into batches.", _mb_batch_order, matchable=False),
    ),
)


# ==================================================================================================
# linear_mse_grad
# ==================================================================================================

def _lin_case(n: int, d: int, *, scale: float = 1.0, label: str = "") -> Case:
    X = scale * _rng.normal(size=(n, d))
    w = scale * _rng.normal(size=d)
    return Case((w, scale * float(_rng.normal()), X, scale * _rng.normal(size=n)), label=label)


def _g_sum(w, b, X, y):
    r = X @ w + b - y
    return 2 * X.T @ r, 2 * float(np.sum(r))


def _g_no_two(w, b, X, y):
    r = X @ w + b - y
    return X.T @ r / len(y), float(np.mean(r))


def _g_sign(w, b, X, y):
    r = y - (X @ w + b)
    return 2 * X.T @ r / len(y), 2 * float(np.mean(r))


def _g_no_bias(w, b, X, y):
    r = X @ w - y
    return 2 * X.T @ r / len(y), 2 * float(np.mean(r))


def _g_size(w, b, X, y):
    r = X @ w + b - y
    return 2 * X.T @ r / X.size, 2 * float(np.sum(r)) / X.size


def _g_b_not_averaged(w, b, X, y):
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * float(np.sum(r))


_W_PERFECT = np.array([0.5, -1.0, 2.0])
_X_PERFECT = _rng.normal(size=(6, 3))

LINEAR_MSE_GRAD = Spec(
    name="linear_mse_grad",
    reference=ref.linear_mse_grad,
    outputs=("grad_w", "grad_b"),
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([2.0]), 1.0, np.array([[0.0], [1.0]]), np.array([1.0, 4.0])),
                 label="the lesson's example: grad_w = [-1], grad_b = -1"),
            Case((_W_PERFECT, 0.3, _X_PERFECT, _X_PERFECT @ _W_PERFECT + 0.3),
                 label="a perfect fit: zero gradient"),
            Case((np.zeros(3), 0.0, np.array([[1.0, 2.0, -1.0]]), np.array([3.0])), label="one sample"),
            Case((np.zeros(3), 0.0, np.zeros((4, 3)), np.zeros(4)), label="all zeros"),
        ]),
        Compare("random batches of several shapes", [
            _lin_case(5, 3),
            _lin_case(1, 4, label="one sample"),
            _lin_case(50, 1),
            _lin_case(4, 7, label="more features than samples"),
            _lin_case(32, 2),
        ]),
        Compare("large magnitudes (no overflow, no warnings)", [
            _lin_case(8, 3, scale=1e6),
            _lin_case(3, 2, scale=1e-6),
        ], atol=0.0, warn_free=True),
    ),
    mistakes=(
        Mistake("sum-not-mean", "the loss is the MEAN over the batch, so its gradient is divided by "
                "the number of samples: grad_w = 2 * X.T @ r / n, grad_b = 2 * mean(r), with "
                "r = X @ w + b - y.", _g_sum),
        Mistake("missing-2", "the derivative of r**2 is 2 * r: grad_w = 2 * X.T @ r / n and "
                "grad_b = 2 * mean(r).", _g_no_two),
        Mistake("sign", "the residual is prediction minus target, r = X @ w + b - y; with y - "
                "prediction the gradient points the wrong way.", _g_sign),
        Mistake("bias-missing", "the prediction is X @ w + b: include b in the residual "
                "r = X @ w + b - y.", _g_no_bias),
        Mistake("divide-by-size", "average over the samples: divide by n_samples = X.shape[0] "
                "(len(y)), not by X.size.", _g_size),
        Mistake("grad-b-not-averaged", "grad_b is averaged over the batch like grad_w: "
                "grad_b = 2 * np.mean(r), not 2 * np.sum(r).", _g_b_not_averaged),
    ),
)


# ==================================================================================================
# sgd_step
# ==================================================================================================

def _s_ascent(theta, grad, *, lr):
    return theta + lr * grad


def _s_no_lr(theta, grad, *, lr):
    return theta - grad


def _s_step_only(theta, grad, *, lr):
    return -lr * grad


def _s_divided(theta, grad, *, lr):
    return theta - grad / lr


SGD_STEP = Spec(
    name="sgd_step",
    reference=ref.sgd_step,
    groups=(
        Compare("small hand-checkable inputs", [
            Case((np.array([1.0, -2.0]), np.array([0.5, -1.0])), {"lr": 0.1},
                 label="the lesson's example: [0.95, -1.9]"),
            Case((np.array([3.0, 4.0]), np.zeros(2)), {"lr": 0.5}, label="zero gradient"),
            Case((np.array([0.25]), np.array([-2.0])), {"lr": 0.01}, label="one parameter"),
            Case((np.array(1.5), np.array(0.5)), {"lr": 0.2}, label="a 0-d theta"),
        ]),
        Compare("random parameters of several shapes", [
            Case((_rng.normal(size=5), _rng.normal(size=5)), {"lr": 0.05}),
            Case((_rng.normal(size=(3, 4)), _rng.normal(size=(3, 4))), {"lr": 0.3}),
            Case((_rng.normal(size=(2, 3, 2)), _rng.normal(size=(2, 3, 2))), {"lr": 2.0}),
            Case((_rng.normal(size=(4, 1)), _rng.normal(size=(4, 1))), {"lr": 1e-3}),
        ]),
        Compare("large and small magnitudes (no warnings)", [
            Case((np.array([1e150, -1e150]), np.array([1e152, 3e151])), {"lr": 1e-3}),
            Case((np.array([1e-200, 2e-200]), np.array([1e-190, -1e-190])), {"lr": 1e-9}),
        ], atol=0.0, warn_free=True),
    ),
    mistakes=(
        Mistake("ascent", "gradient DESCENT moves against the gradient: theta - lr * grad, not "
                "theta + lr * grad.", _s_ascent),
        Mistake("no-lr", "scale the gradient by the learning rate: theta - lr * grad.", _s_no_lr),
        Mistake("step-only", "return the new parameters, theta - lr * grad, not just the step "
                "-lr * grad.", _s_step_only),
        Mistake("divided-by-lr", "multiply the gradient by lr (theta - lr * grad), do not divide "
                "by it.", _s_divided),
    ),
)


# ==================================================================================================
# train_minibatch_sgd
# ==================================================================================================

def _regression(n: int, d: int, *, noise: float = 0.5, intercept: float = 0.7
                ) -> tuple[np.ndarray, np.ndarray]:
    X = _rng.normal(size=(n, d))
    return X, X @ _rng.normal(size=d) + intercept + noise * _rng.normal(size=n)


def _train_case(X, y, batch_size, lr, epochs, label=""):
    return Case((X, y), {"batch_size": batch_size, "lr": lr, "epochs": epochs,
                         "rng": np.random.default_rng(0)}, label=label)


def _run_fresh(run: Runner, case: Case) -> Outcome:
    """Run a case with a new generator seeded alike every time, so that a check gives the same
    verdict however often it is run (the generator shown in the case is only for messages)."""
    return run(case.args, {**case.kwargs, "rng": np.random.default_rng(SEED)})


def _fit(value: Any, d: int, epochs: int) -> tuple[Any, str | None]:
    """``(w, b, losses)`` from a returned value, or ``(None, problem)``."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        return None, f"returned {describe(value)}, expected a tuple (w, b, losses)"
    w, b, losses = value
    if not isinstance(w, np.ndarray) or w.shape != (d,) or w.dtype.kind not in "fiu":
        return None, f"w is {describe(w)}, expected an array of shape ({d},)"
    b_arr = np.asarray(b) if isinstance(b, (int, float, np.generic, np.ndarray)) else None
    if b_arr is None or b_arr.size != 1 or b_arr.dtype.kind not in "fiu":
        return None, f"b is {describe(b)}, expected a single number"
    if not isinstance(losses, np.ndarray) or losses.shape != (epochs,):
        return None, (f"losses is {describe(losses)}, expected an array of shape ({epochs},): one "
                      "loss per epoch")
    return (w.astype(np.float64), float(b_arr.reshape(())), losses.astype(np.float64)), None


# --- losses: the full-data MSE after each epoch ----------------------------------------------------

_LOSS_CASES = (
    _train_case(*_regression(10, 2), 3, 0.05, 4, label="batches of 3, 3, 3, 1"),
    _train_case(*_regression(7, 3), 1, 0.02, 3, label="batch_size 1"),
    _train_case(*_regression(12, 1), 5, 0.1, 1, label="one epoch"),
)


def _probe_losses(run: Runner, spec: Spec):
    return [_run_fresh(run, c) for c in _LOSS_CASES]


def _judge_losses(data, spec: Spec):
    for case, outcome in zip(_LOSS_CASES, data):
        what = spec.call_text(case)
        problem = failed_call(outcome, what)
        if problem:
            return problem
        X, y = case.args
        epochs = case.kwargs["epochs"]
        fit, problem = _fit(outcome.value, X.shape[1], epochs)
        if problem:
            n_steps = math.ceil(len(y) / case.kwargs["batch_size"])
            value = outcome.value
            if (isinstance(value, (tuple, list)) and len(value) == 3
                    and np.shape(value[2]) == (epochs * n_steps,) and n_steps > 1):
                problem += f" (you recorded one per step: {epochs} epochs x {n_steps} batches)"
            return f"{what}: {problem}"
        w, b, losses = fit
        final = float(np.mean((X @ w + b - y) ** 2))
        if not np.isclose(losses[-1], final, rtol=1e-9, atol=1e-12):
            return (f"{what}: losses[-1] is {losses[-1]:.6g}, but the MSE of the returned w and b "
                    f"on all of X and y is {final:.6g}", "loss-of-batches")
    return None


# --- convergence to the least-squares solution -----------------------------------------------------

_X_LS = _rng.normal(size=(40, 3))
_Y_LS = _X_LS @ np.array([1.5, -2.0, 0.5]) + 2.0 + 0.5 * _rng.normal(size=40)
_A_LS = np.column_stack([_X_LS, np.ones(len(_X_LS))])
_THETA_LS = np.linalg.lstsq(_A_LS, _Y_LS, rcond=None)[0]
_LOSS_LS = float(np.mean((_A_LS @ _THETA_LS - _Y_LS) ** 2))
_CONVERGE = _train_case(_X_LS, _Y_LS, 4, 0.01, 100)
#: How far from the least-squares solution (w, b) may end, and how much above its loss.  With
#: these settings correct runs end within 0.006 and 0.02 % (300 seeds tried); a wrong fit is off
#: by far more (samples separated from their targets, or b never updated: MSE 20 to 30 times too large).
_CONVERGE_DIST, _CONVERGE_EXCESS = 0.1, 0.05


def _probe_converge(run: Runner, spec: Spec):
    return _run_fresh(run, _CONVERGE)


def _judge_converge(outcome: Outcome, spec: Spec):
    what = spec.call_text(_CONVERGE)
    problem = failed_call(outcome, what)
    if problem:
        return problem
    fit, problem = _fit(outcome.value, _X_LS.shape[1], _CONVERGE.kwargs["epochs"])
    if problem:
        return f"{what}: {problem}"
    w, b, _ = fit
    theta = np.append(w, b)
    dist = float(np.linalg.norm(theta - _THETA_LS))
    loss = float(np.mean((_X_LS @ w + b - _Y_LS) ** 2))
    if dist <= _CONVERGE_DIST and loss <= (1 + _CONVERGE_EXCESS) * _LOSS_LS:
        return None
    detail = (f"{what} ended at w = {describe(w)}, b = {b:.4g} with MSE {loss:.4g}; the "
              f"least-squares solution is w = {describe(_THETA_LS[:-1])}, b = {_THETA_LS[-1]:.4g} "
              f"with MSE {_LOSS_LS:.4g}, and this small learning rate should end close to it")
    return (detail, "b-not-updated") if b == 0.0 else detail


# --- one epoch on the identity design: each sample visited once, with its own target ---------------
# With X = I, sample i is the only one that moves w[i]: one epoch from w = 0 leaves w[i] = 0 exactly
# when sample i was never used, and otherwise w[i] = 2 * lr / m * (y[i] - b_t) for a batch of m samples,
# where |b_t| stays below 2 * lr * n * max|y| = 8.9.  The targets are 100 apart and 25 modulo 100, so
# w[i] * m / (2 * lr) lies within 9 of y[i] itself, 91 or more from any other target, and 41 or more
# from any target with its sign flipped (training uphill): a tolerance of 20 tells them apart.

_N_EYE = 30
_X_EYE = np.eye(_N_EYE)
_Y_EYE = 100.0 * (_rng.permutation(_N_EYE) - 15) + 25.0
_LR_EYE = 1e-4
_TOL_EYE = 20.0
_EYE_CASES = tuple(_train_case(_X_EYE, _Y_EYE, bs, _LR_EYE, 1, label=label)
                   for bs, label in ((1, "stochastic"), (5, "batches of 5"),
                                     (4, "batches of 4, the last of 2")))


def _probe_eye(run: Runner, spec: Spec):
    return [_run_fresh(run, c) for c in _EYE_CASES]


def _judge_eye(data, spec: Spec):
    for case, outcome in zip(_EYE_CASES, data):
        what = spec.call_text(case) + f" (X = identity, {case.label})"
        problem = failed_call(outcome, what)
        if problem:
            return problem
        fit, problem = _fit(outcome.value, _N_EYE, 1)
        if problem:
            return f"{what}: {problem}"
        w = fit[0]
        bs = case.kwargs["batch_size"]
        rest = _N_EYE % bs
        unused = np.flatnonzero(w == 0.0)
        if unused.size:
            detail = (f"{what}: after one epoch, w[i] is still 0 for i in {_few(unused)}: those "
                      "samples were never used (with X = I, sample i alone moves w[i])")
            key = "drop-last" if rest and unused.size == rest else "with-replacement"
            return detail, key
        sizes = {bs, rest or bs}
        ok = np.zeros(_N_EYE, dtype=bool)
        for m in sizes:
            ok |= np.abs(w * m / (2 * _LR_EYE) - _Y_EYE) <= _TOL_EYE
        if np.all(ok):
            continue
        detail = (f"{what}: after one epoch, w[i] does not follow target y[i] for i in "
                  f"{_few(np.flatnonzero(~ok))} (with X = I, w[i] = 2 * lr * (y[i] - b) / batch size)")
        if bs > 1 and np.all(np.abs(w / (2 * _LR_EYE) - _Y_EYE) <= _TOL_EYE):
            return detail + f": {bs} times too large", "summed-gradient"
        someones = np.zeros(_N_EYE, dtype=bool)  # w[i] follows the target of some other sample
        for m in sizes:
            gap = np.abs((w * m / (2 * _LR_EYE))[:, None] - _Y_EYE[None, :]).min(axis=1)
            someones |= gap <= _TOL_EYE
        if np.all(someones):
            return detail + ": each follows the target of another sample", "separate-permutations"
        return detail
    return None


# --- a new order every epoch ------------------------------------------------------------------------
# With the same order every epoch, stochastic gradient descent settles on a fixed cycle, so the loss
# at the end of each epoch stops changing (to 1e-15); reshuffled, it keeps moving (by about 1e-1
# relative here; a threshold of 1e-6 leaves room on both sides).

_EPOCH_ORDER = _train_case(*_regression(20, 2), 1, 0.05, 60)
_TAIL = 20


def _probe_epoch_order(run: Runner, spec: Spec):
    return _run_fresh(run, _EPOCH_ORDER)


def _judge_epoch_order(outcome: Outcome, spec: Spec):
    what = spec.call_text(_EPOCH_ORDER)
    problem = failed_call(outcome, what)
    if problem:
        return problem
    X, _ = _EPOCH_ORDER.args
    fit, problem = _fit(outcome.value, X.shape[1], _EPOCH_ORDER.kwargs["epochs"])
    if problem:
        return f"{what}: {problem}"
    tail = fit[2][-_TAIL:]
    if not np.all(np.isfinite(tail)):
        return f"{what}: the losses of the last {_TAIL} epochs are not all finite"
    spread = float((tail.max() - tail.min()) / max(abs(float(tail.mean())), 1e-300))
    if spread > 1e-6:
        return None
    agree = "are all equal" if spread == 0 else f"agree to within {spread:.1g} (relative)"
    return (f"{what}: the losses of the last {_TAIL} epochs {agree}: the samples are visited in the "
            "same order every epoch, so the path repeats itself", "same-order")


# --- the mistakes ------------------------------------------------------------------------------------

def _t_loop(X, y, batch_size, lr, epochs, rng, *, order="fresh", sum_grad=False, update_b=True,
            loss="after", drop_last=False):
    """Mini-batch SGD for the mistake functions below; each keyword switches on one mistake."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    fixed = rng.permutation(n) if order == "once" else None
    for _ in range(epochs):
        ix = iy = np.arange(n)
        if batch_size < n:
            if order == "fresh":
                ix = iy = rng.permutation(n)
            elif order == "once":
                ix = iy = fixed
            elif order == "separate":
                ix, iy = rng.permutation(n), rng.permutation(n)
            elif order == "replacement":
                ix = iy = rng.integers(0, n, size=n)
            elif order == "global":
                ix = iy = _global_permutation(n)
        stop = n - n % batch_size if drop_last else n
        before = float(np.mean((X @ w + b - y) ** 2))
        batch_losses = []
        for start in range(0, stop, batch_size):
            Xb, yb = X[ix[start:start + batch_size]], y[iy[start:start + batch_size]]
            r = Xb @ w + b - yb
            batch_losses.append(float(np.mean(r ** 2)))
            scale = 2.0 if sum_grad else 2.0 / len(yb)
            w = w - lr * scale * (Xb.T @ r)
            if update_b:
                b = b - lr * scale * float(np.sum(r))
        after = float(np.mean((X @ w + b - y) ** 2))
        losses.append({"after": after, "before": before,
                       "batches": float(np.mean(batch_losses)) if batch_losses else after}[loss])
    return w, b, np.array(losses)


def _t_summed(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, sum_grad=True)


def _t_b_frozen(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, update_b=False)


def _t_loss_before(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, loss="before")


def _t_loss_batches(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, loss="batches")


def _t_separate(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, order="separate")


def _t_replacement(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, order="replacement")


def _t_drop_last(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, drop_last=True)


def _t_same_order(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, order="once")


def _t_no_shuffle(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, order="none")


def _t_global(X, y, *, batch_size, lr, epochs, rng):
    return _t_loop(X, y, batch_size, lr, epochs, rng, order="global")


_X_FULL, _Y_FULL = _regression(8, 2)
_X_LINE = np.array([[0.0], [1.0], [2.0], [3.0]])

TRAIN_MINIBATCH_SGD = Spec(
    name="train_minibatch_sgd",
    reference=ref.train_minibatch_sgd,
    outputs=("w", "b", "losses"),
    callees=(("linear_mse_grad", "_mse_grad"), "minibatches"),
    groups=(
        Compare("one batch of all the data: plain gradient descent (compared at rtol 1e-10)", [
            _train_case(_X_LINE, 2.0 * _X_LINE[:, 0] + 1.0, 4, 0.05, 25,
                        label="the line y = 2x + 1"),
            _train_case(_X_FULL, _Y_FULL, 8, 0.1, 5, label="batch_size = n_samples"),
            _train_case(_X_FULL, _Y_FULL, 50, 0.05, 3, label="batch_size > n_samples"),
            _train_case(*_regression(1, 3), 1, 0.1, 4, label="one sample"),
            _train_case(*_regression(3, 5), 3, 0.05, 6, label="more features than samples"),
            _train_case(_X_FULL, _Y_FULL, 8, 0.1, 0, label="zero epochs"),
        ], rtol=1e-10, atol=1e-12),
        Property("losses[i] is the MSE on all the data after epoch i", _probe_losses, _judge_losses),
        Property("mini-batches of 4 with a small learning rate end near the least-squares solution",
               _probe_converge, _judge_converge),
        Property("each epoch uses every sample exactly once, with its own target", _probe_eye,
               _judge_eye),
        Property("the data are reshuffled every epoch", _probe_epoch_order, _judge_epoch_order),
        _rng_discipline("the shuffling comes from `rng` only (same seed, same result; another seed, "
                        "another path)", _regression(10, 2), {"batch_size": 2, "lr": 0.05, "epochs": 3},
                        None, same_key="no-shuffle", valid=lambda value: _fit(value, 2, 3)[1]),
    ),
    mistakes=(
        Mistake("summed-gradient", "average the gradient over the batch (divide by its size, "
                "len(y_batch)), do not sum it: a summed gradient makes the step grow with the batch "
                "size.", _t_summed),
        Mistake("b-not-updated", "update the bias as well as the weights: b = b - lr * grad_b "
                "after every batch.", _t_b_frozen),
        Mistake("loss-before-epoch", "record losses[i] AFTER the steps of epoch i (the MSE of the "
                "w and b you have at the end of the epoch), not before them.", _t_loss_before),
        Mistake("loss-of-batches", "losses[i] is the MSE on ALL of X and y with the w and b you have "
                "at the end of epoch i; compute it after the epoch's last step, not from the batches "
                "(an average of batch losses mixes parameters from different steps).",
                _t_loss_batches, matchable=False),
        Mistake("separate-permutations", "shuffle X and y with ONE permutation each epoch "
                "(perm = rng.permutation(n); X[perm], y[perm]); two permutations give each sample "
                "someone else's target.", _t_separate, matchable=False),
        Mistake("with-replacement", "an epoch is one pass over the data: shuffle with "
                "rng.permutation(n) and cut it into batches, instead of drawing indices with "
                "replacement (some samples would repeat and others be skipped).", _t_replacement,
                matchable=False),
        Mistake("drop-last", "keep the last, smaller batch of each epoch: when batch_size does not "
                "divide n_samples, its n_samples % batch_size samples would never be used.",
                _t_drop_last),
        Mistake("same-order", "draw a new permutation at the start of EVERY epoch (inside the "
                "epoch loop, e.g. `for X_b, y_b in minibatches(X, y, batch_size, rng=rng)`), not "
                "once before training.", _t_same_order, matchable=False),
        Mistake("no-shuffle", "shuffle the data with `rng` at the start of every epoch, e.g. "
                "`for X_b, y_b in minibatches(X, y, batch_size, rng=rng)`: without shuffling the "
                "result cannot depend on the seed.", _t_no_shuffle, matchable=False),
        Mistake("global-generator", "use the `rng` argument for the shuffling, not NumPy's global "
                "generator np.random.*: the result must be reproducible from the seed alone.",
                _t_global, matchable=False),
    ),
)

SPECS = (SHUFFLE_DATA, MINIBATCHES, LINEAR_MSE_GRAD, SGD_STEP, TRAIN_MINIBATCH_SGD)
