"""Calling a student's function safely, and recording what happened as plain data.

Everything the grader learns about a student's function comes through
:func:`call`: it runs the function once on inputs the grader chose and returns
an :class:`Outcome` made of plain data (arrays, numbers, strings).  Nothing the
student's code does can escape from here: exceptions (even ``SystemExit``),
warnings, printing to stdout or stderr and overlong runs are caught and
recorded, never propagated.  Judging the outcome is done elsewhere, on the
data alone.
"""

from __future__ import annotations

import contextlib
import copy
import io
import numbers
import os
import signal
import sys
import threading
import types
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

#: Seconds one call may take before it is stopped and reported.
DEFAULT_TIMEOUT = 10.0

#: The packages a graded function must not call into: the course's own code.
FORBIDDEN_PACKAGES = ("solutions", "grader", "nncourse", "lessons")


def _package_dirs() -> dict[str, str]:
    """Absolute directories of the forbidden packages that are importable here."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    dirs = {}
    for name in FORBIDDEN_PACKAGES:
        path = os.path.join(root, name)
        if os.path.isdir(path):
            dirs[name] = path + os.sep
    return dirs


_FORBIDDEN_DIRS = _package_dirs()
_THIS_FILE = __file__


@dataclass(frozen=True)
class Opaque:
    """Stands for a returned object that is not plain data (a class instance, a generator...)."""

    type_name: str


@dataclass(frozen=True)
class Outcome:
    """What one call of a student's function did, as plain data.

    Attributes
    ----------
    value
        The returned value converted by :func:`to_plain` (``None`` after an error).
    error : str or None
        ``"ValueError: message"`` when the call raised.
    error_types : tuple of str
        Names of the raised exception's classes, most specific first (its MRO),
        so that "raises a ValueError" can be judged from data.
    timed_out : bool
        The call ran longer than its time limit.
    warnings : tuple of str
        Warnings emitted during the call, as ``"RuntimeWarning: overflow ..."``.
    mutated : tuple of str
        Names of arguments the call changed in place.
    foreign : str or None
        The course package (``solutions``, ``grader`` or ``lessons``) the call
        reached into, if any.
    """

    value: Any = None
    error: str | None = None
    error_types: tuple[str, ...] = ()
    timed_out: bool = False
    warnings: tuple[str, ...] = ()
    mutated: tuple[str, ...] = ()
    foreign: str | None = None

    @property
    def ok(self) -> bool:
        """True when the call returned normally without touching the course's code."""
        return self.error is None and not self.timed_out and self.foreign is None

    @property
    def not_implemented(self) -> bool:
        return "NotImplementedError" in self.error_types

    def raised(self, *names: str) -> bool:
        """True when the call raised an exception that is an instance of one of ``names``."""
        return any(n in self.error_types for n in names)


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Convert a returned value into plain data: arrays, numbers, strings, tuples, lists.

    Arrays are copied (so later changes by the student's code cannot alter
    them); anything else becomes an :class:`Opaque` naming its type.
    """
    if _depth > 4:
        return Opaque(type(value).__name__)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return Opaque("ndarray of objects")
        return np.array(value, copy=True)
    if isinstance(value, (numbers.Number, np.generic)):
        return value
    if isinstance(value, (tuple, list)):
        items = [to_plain(v, _depth + 1) for v in value[:10_000]]
        return tuple(items) if isinstance(value, tuple) else items
    return Opaque(type(value).__name__)


class _TimeLimit(BaseException):
    """Raised inside the student's code when its time runs out (not an ``Exception``,
    so that a bare ``except Exception`` in student code cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _alarm(signum, frame):
        raise _TimeLimit()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _nested_code(code: types.CodeType) -> Iterable[types.CodeType]:
    """A code object and those defined inside it (comprehensions, generator expressions, lambdas)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _nested_code(const)


class _ForeignWatch:
    """A profile hook that notes the first call into the course's own packages.

    Callables the grader itself hands to the student's function (for example
    a gradient function for Nesterov's method) are allowed, together with
    everything they call.
    """

    def __init__(self, allowed: Iterable[Callable], forbidden: Iterable[str] = FORBIDDEN_PACKAGES,
                 transparent: Iterable[Callable] = (), watched: dict[types.CodeType, str] | None = None,
                 called: set[str] | None = None):
        self.dirs = {name: path for name, path in _FORBIDDEN_DIRS.items() if name in set(forbidden)}
        # The student's other graded functions (their code objects, by name): which ones this call reaches.
        self.watched = watched or {}
        self.called = called if called is not None else set()
        self.allowed = {c.__code__ for c in allowed if isinstance(c, types.FunctionType)}
        # Grader code that runs the student's code (a ``post`` consuming a generator): not itself
        # a foreign call, but unlike ``allowed`` it does not excuse what runs beneath it.
        self.transparent = {code for c in transparent if isinstance(c, types.FunctionType)
                            for code in _nested_code(c.__code__)}
        self.found: str | None = None
        self._verdicts: dict[types.CodeType, str | None] = {}

    def _package_of(self, code: types.CodeType) -> str | None:
        try:
            return self._verdicts[code]
        except KeyError:
            filename = code.co_filename
            found = None
            if filename == _THIS_FILE:  # the guard's own signal handler
                self._verdicts[code] = None
                return None
            for name, path in self.dirs.items():
                if filename.startswith(path):
                    found = name
                    break
            self._verdicts[code] = found
            return found

    def __call__(self, frame, event, arg):
        if event != "call":
            return
        if self.watched:
            name = self.watched.get(frame.f_code)
            if name is not None:
                self.called.add(name)
        if self.found is not None or frame.f_code in self.transparent:
            return
        package = self._package_of(frame.f_code)
        if package is None:
            return
        f = frame
        while f is not None:
            if f.f_code in self.allowed:
                return
            f = f.f_back
        self.found = package


def _snapshot(value: Any) -> Any:
    """A deep copy of an argument, for noticing in-place changes afterwards."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple, dict)):
        try:
            return copy.deepcopy(value)
        except Exception:
            return None
    return None


def _unchanged(before: Any, after: Any) -> bool:
    if before is None:
        return True
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(before) != len(after):
            return False
        return all(_unchanged(_snapshot(b) if isinstance(b, np.ndarray) else b, a)
                   for b, a in zip(before, after))
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _unchanged(before[k], after[k]) for k in before
        )
    return True


def _describe_exception(exc: BaseException) -> tuple[str, tuple[str, ...]]:
    names = tuple(cls.__name__ for cls in type(exc).__mro__)
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:197] + "..."
    return (f"{type(exc).__name__}: {first}" if first else type(exc).__name__), names


def call(
    fn: Callable,
    args: tuple = (),
    kwargs: dict | None = None,
    *,
    names: tuple[str, ...] = (),
    post: Callable[[Any], Any] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    allowed: Iterable[Callable] = (),
    forbidden: Iterable[str] = FORBIDDEN_PACKAGES,
    watched: dict[types.CodeType, str] | None = None,
    called: set[str] | None = None,
) -> Outcome:
    """Run ``fn(*args, **kwargs)`` under guard and return an :class:`Outcome`.

    Parameters
    ----------
    fn : callable
        The student's function.
    args, kwargs
        The inputs, chosen by the grader.  They are checked for in-place
        changes after the call.
    names : tuple of str
        Names of the positional arguments, for reporting in-place changes.
    post : callable, optional
        Applied to the returned value inside the guard, for example to
        consume a generator (whose body only runs while it is iterated).
        It may live in ``grader`` but must not call other course code: only
        its own frame is exempt from the watch, not what it calls.
    timeout : float or None
        Seconds before the call is stopped.
    allowed : iterable of callables
        Course code the grader passes in (callbacks) that the student's
        function may call.
    forbidden : iterable of str
        The course packages the function must not call into (all three by
        default; the project's own tests narrow it to grade course code).
    watched, called
        Code objects of the student's other graded functions, by name: the
        name of each one the call reaches is added to the set ``called``
        (so the judge can tell which of them a function relies on).

    Notes
    -----
    The call is watched with :func:`sys.setprofile` so that a graded function
    which delegates to the hidden reference, the grader or the student
    package is recognised, however it reached them.
    """
    kwargs = dict(kwargs or {})
    callbacks = list(allowed) + [v for v in (*args, *kwargs.values()) if callable(v)]
    before_args = [_snapshot(a) for a in args]
    before_kwargs = {k: _snapshot(v) for k, v in kwargs.items()}
    watch = _ForeignWatch(callbacks, forbidden, transparent=[post] if post is not None else [], watched=watched,
                          called=called)
    value = None
    error = None
    error_types: tuple[str, ...] = ()
    timed_out = False
    sink = io.StringIO()
    # NumPy's defaults: overflow, division by zero and invalid operations warn; underflow to
    # zero is ordinary (exp(-1e4) is 0) and stays silent.
    with warnings.catch_warnings(record=True) as caught, np.errstate(
        all="warn", under="ignore"
    ), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("always")
        previous_profile = sys.getprofile()
        try:
            with _time_limit(timeout):
                sys.setprofile(watch)
                try:
                    result = fn(*args, **kwargs)
                    if post is not None:
                        result = post(result)
                finally:
                    sys.setprofile(previous_profile)
            value = to_plain(result)
        except _TimeLimit:
            timed_out = True
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything, even SystemExit
            error, error_types = _describe_exception(exc)
    mutated = tuple(
        names[i] if i < len(names) else f"argument {i + 1}"
        for i, (b, a) in enumerate(zip(before_args, args))
        if not _unchanged(b, a)
    ) + tuple(k for k, b in before_kwargs.items() if not _unchanged(b, kwargs[k]))
    return Outcome(
        value=value,
        error=error,
        error_types=error_types,
        timed_out=timed_out,
        warnings=tuple(f"{w.category.__name__}: {w.message}" for w in caught),
        mutated=mutated,
        foreign=watch.found,
    )
