"""The grader's behaviour with functions that misbehave in every general way."""

from __future__ import annotations

import importlib
import sys
import warnings

import numpy as np
import pytest

from grader import check
from grader.calls import call
from grader.spec import judge_all, probe_all
from grader.specs import REGISTRY

pytestmark = pytest.mark.project


def test_unknown_name_is_an_instructors_error():
    with pytest.raises(KeyError, match="not a graded function"):
        check("no_such_function", lambda: None)


@pytest.mark.parametrize("points", [0, -1, "2", True])
def test_points_must_be_positive_number(points):
    with pytest.raises(ValueError, match="points"):
        check("mse", lambda a, b: 0.0, points=points)


def test_not_a_function_scores_zero(grade):
    score, message = grade("mse", 42)
    assert score == 0 and "not a function" in message


def test_returning_none_is_reported(grade):
    score, message = grade("mse", lambda y_pred, y_true: None, points=2)
    assert score < 2
    assert "returned None" in message


def test_exceptions_and_exits_are_caught(grade):
    def exits(y_pred, y_true):
        sys.exit(3)

    score, message = grade("mse", exits)
    assert score < 1 and "SystemExit" in message


def test_printing_and_warning_reach_neither_stream(grade, capsys):
    def noisy(y_pred, y_true):
        print("debug output")
        print("to stderr", file=sys.stderr)
        warnings.warn("careful", UserWarning)
        return float(np.mean((np.asarray(y_pred) - y_true) ** 2))

    score, message = grade("mse", noisy, points=2)  # the fixture asserts stderr is empty
    assert "debug output" not in message
    assert score < 2  # it does not raise for mismatched shapes


def test_in_place_change_costs_the_unchanged_group(grade):
    def in_place(y_pred, y_true):
        y_pred -= y_true
        y_pred **= 2
        return float(y_pred.mean())

    score, message = grade("mse", in_place, points=1)
    assert score < 1
    assert "in place" in message and "y_pred" in message


def test_endless_loop_costs_one_timeout_not_one_per_case():
    def endless(y_pred, y_true):
        while True:
            pass

    spec = REGISTRY["mse"]
    data = probe_all(spec, endless, timeout=0.2)
    report = judge_all(spec, data)
    assert report.score(1) == 0
    assert "time limit" in report.text(1)
    outcomes = [o for group in data for o in group]
    assert sum(o.timed_out for o in outcomes) == 1


def test_returning_a_list_instead_of_an_array(grade):
    score, message = grade("mse_grad", lambda y_pred, y_true: list(2 * (y_pred - y_true) / y_pred.size))
    assert score < 1 and "expected a NumPy array" in message


def test_call_reports_foreign_calls_but_allows_callbacks():
    from solutions import losses

    outcome = call(lambda a, b: losses.mse(a, b), (np.zeros(2), np.zeros(2)))
    assert outcome.foreign == "solutions" and not outcome.ok

    def grad_fn(x):  # a callback defined in the tests, so allowed anyway; checks the plumbing
        return losses.mse_grad(x, np.zeros_like(x))

    outcome = call(lambda x, g: g(x), (np.ones(2), grad_fn))
    assert outcome.foreign is None and outcome.ok


def test_a_post_step_in_the_grader_is_not_a_foreign_call_but_what_it_runs_is():
    from grader import spec as spec_module

    def consume(it):  # lives in tests, so stand in for a grader post by forbidding "tests"
        return list(it)

    def honest(n):
        yield from range(n)

    def sneaky(n):
        from solutions import losses

        yield losses.mse(np.zeros(1), np.zeros(1))

    assert call(honest, (3,), post=consume, forbidden=("tests",)).foreign is None
    assert call(sneaky, (3,), post=consume).foreign == "solutions"
    assert spec_module is not None


def test_numpy_scalar_accepted_for_a_zero_d_array():
    from grader.compare import mismatch

    assert mismatch(np.float64(1.5), np.array(1.5)) is None
    assert mismatch(1.5, np.array(1.5)) is None
    assert mismatch(np.array([1.5]), np.array(1.5)) is not None


@pytest.mark.parametrize("where, run", [
    ("evaluate", lambda module: module.grade("mse", lambda a, b: 0.0, 2)),
    ("probe_payload", lambda module: module.send_probes("mse", lambda a, b: 0.0, 2)),
], ids=["judged here", "probe only"])
def test_a_grader_bug_scores_zero_with_a_message_and_nothing_on_stderr(monkeypatch, capsys, where, run):
    module = importlib.import_module("grader.check")  # the module: ``grader.check`` is also the function

    def broken(*args, **kwargs):
        print("noise", file=sys.stderr)
        raise RuntimeError("the grader broke")

    monkeypatch.setattr(module, where, broken)
    assert run(module) == 0.0
    out, err = capsys.readouterr()
    assert err == ""
    assert "mse: the grader could not finish checking this function (RuntimeError: the grader broke)" in out
    assert "Please tell your instructor." in out
