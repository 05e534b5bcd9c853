"""Callers of a failing function: the one to fix first is named, and a caller right on its own is judged so.

Each case is a notebook of test cells whose outputs are the payloads the
kernel would send (the student's functions probed in this process), judged
by ``JudgeProbes`` as ``nbgrader autograde`` would, all cells together.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest
from nbgrader.utils import determine_grade

from grader.check import probe_payload
from nncourse.judge import JudgeProbes
from grader.probe_codec import MIME
from grader.specs import REGISTRY

pytestmark = pytest.mark.lesson02

CHECKED = '''
def _checked(logits, y):
    logits, y = np.asarray(logits, dtype=float), np.asarray(y)
    if logits.ndim != 2 or y.ndim != 1 or y.shape[0] != logits.shape[0]:
        raise ValueError("logits must be (n_samples, n_classes) and y (n_samples,)")
    if y.dtype.kind not in "iu":
        raise TypeError("y must hold integer labels")
    if np.any(y < 0) or np.any(y >= logits.shape[1]):
        raise ValueError("labels out of range")
    return logits, y
'''
LOG_SOFTMAX_NO_MAX = '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
'''
LOG_SOFTMAX_RIGHT = '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
'''
LOG_SOFTMAX_ODD = '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.max(z, axis=axis, keepdims=True) - 0.5
'''
SCE_RIGHT = '''
def softmax_cross_entropy(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.mean(log_softmax(logits, axis=1)[np.arange(len(y)), y]))
'''
SCE_SUMMED = '''
def softmax_cross_entropy(logits, y):
    logits, y = _checked(logits, y)
    return float(-np.sum(log_softmax(logits, axis=1)[np.arange(len(y)), y]))
'''


def _student(*sources: str) -> dict:
    namespace = {"np": np}
    for source in (CHECKED, *sources):
        exec(source, namespace)
    return namespace


def _cell(name: str, payload: dict, points: int = 2):
    cell = nbformat.v4.new_code_cell(f'"""{name}: checks."""\n__import__("grader").check("{name}", {name}, '
                                     f'points={points})\nassert_close(1, 1)')
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"test_{name}", "locked": True, "points": points,
                                 "schema_version": 3, "solution": False, "task": False}
    cell.outputs = [nbformat.from_dict({"output_type": "display_data", "metadata": {},
                                        "data": {MIME: payload, "text/plain": "probe"}})]
    return cell


def _judged(namespace: dict, names=("log_softmax", "softmax_cross_entropy"), extra_outputs=None):
    nb = nbformat.v4.new_notebook()
    for name in names:
        payload = json.loads(json.dumps(probe_payload(name, namespace[name], forbidden=()), allow_nan=False))
        nb.cells.append(_cell(name, payload))
    for cell in nb.cells:
        cell.outputs += [nbformat.from_dict(o) for o in (extra_outputs or {}).get(cell.metadata.nbgrader.grade_id, [])]
    nb, _ = JudgeProbes().preprocess(nb, {})
    return {c.metadata.nbgrader.grade_id[5:]: (determine_grade(c)[0], c.outputs[0].text) for c in nb.cells}


def test_the_probes_record_which_graded_functions_are_called():
    payload = probe_payload("softmax_cross_entropy", _student(LOG_SOFTMAX_NO_MAX, SCE_RIGHT)["softmax_cross_entropy"],
                            forbidden=())
    assert payload["calls"] == ["log_softmax"]
    assert probe_payload("log_softmax", _student(LOG_SOFTMAX_NO_MAX)["log_softmax"], forbidden=())["calls"] == []


def test_a_right_caller_of_a_catalogued_mistake_is_judged_right_on_its_own():
    result = _judged(_student(LOG_SOFTMAX_NO_MAX, SCE_RIGHT))
    score, text = result["softmax_cross_entropy"]
    assert score == 2, text
    assert ("softmax_cross_entropy calls your log_softmax, which fails its own checks (see the test of "
            "log_softmax). Every check of softmax_cross_entropy that failed gives exactly what a correct "
            "softmax_cross_entropy gives with your log_softmax") in " ".join(text.split())
    assert "(right for your log_softmax)" in text
    log_score, log_text = result["log_softmax"]
    assert log_score < 2 and REGISTRY["log_softmax"].mistake("no-max").hint in log_text


def test_a_caller_with_a_mistake_of_its_own_keeps_losing_points_for_it():
    score, text = _judged(_student(LOG_SOFTMAX_NO_MAX, SCE_SUMMED))["softmax_cross_entropy"]
    assert score < 2, text
    assert "fix log_softmax first" in text and "Likely mistake" in text


def test_a_caller_of_an_uncatalogued_mistake_is_told_which_to_fix_first():
    score, text = _judged(_student(LOG_SOFTMAX_ODD, SCE_RIGHT))["softmax_cross_entropy"]
    assert score < 2
    assert ("softmax_cross_entropy calls your log_softmax, which fails its own checks (see the test of "
            "log_softmax): fix log_softmax first; the failures here may come from it.") in " ".join(text.split())


def test_a_caller_of_a_right_function_hears_nothing_of_it():
    result = _judged(_student(LOG_SOFTMAX_RIGHT, SCE_SUMMED))
    assert result["log_softmax"][0] == 2, result["log_softmax"][1]
    assert "calls your" not in result["softmax_cross_entropy"][1]


def test_a_claimed_call_cannot_buy_points():
    """A forged payload that claims to call the failing log_softmax but returns something else gains nothing."""
    namespace = _student(LOG_SOFTMAX_NO_MAX, SCE_SUMMED)
    forged = json.loads(json.dumps(probe_payload("softmax_cross_entropy", namespace["softmax_cross_entropy"],
                                                 forbidden=()), allow_nan=False))
    honest_score = _judged(namespace)["softmax_cross_entropy"][0]
    forged["calls"] = ["log_softmax", "softmax", "entropy"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("log_softmax", json.loads(json.dumps(probe_payload("log_softmax", namespace["log_softmax"],
                                                                         forbidden=()), allow_nan=False))),
                _cell("softmax_cross_entropy", forged)]
    nb, _ = JudgeProbes().preprocess(nb, {})
    assert determine_grade(nb.cells[1])[0] == honest_score < 2


def test_the_visible_checks_cost_nothing_when_a_callee_explains_every_failure():
    error = {"output_type": "error", "ename": "CheckFailed", "evalue": "softmax_cross_entropy(...) is inf",
             "traceback": []}
    result = _judged(_student(LOG_SOFTMAX_NO_MAX, SCE_RIGHT), extra_outputs={"test_softmax_cross_entropy": [error]})
    score, text = result["softmax_cross_entropy"]
    assert score == 2 and "The visible checks in this cell stopped: CheckFailed" in text, text


@pytest.mark.parametrize("name", sorted(n for n, spec in REGISTRY.items() if spec.callees))
def test_declared_callees_are_what_the_reference_calls(name):
    """``Spec.callees`` lists functions the reference really calls through its module's globals."""
    spec = REGISTRY[name]
    module = spec.reference.__globals__
    for entry in spec.callees:
        callee = entry if isinstance(entry, str) else entry[0]
        stand_in = spec.stand_in(callee)
        assert callee in REGISTRY and stand_in in module, callee
        saved = module[stand_in]

        def refuse(*args, **kwargs):
            raise LookupError(callee)

        module[stand_in] = refuse
        try:
            cases = [c for g in spec.groups for c in getattr(g, "cases", ())
                     if not isinstance(getattr(g, "expect", None), type)]
            calls = 0
            for case in cases:  # some cases may not need the callee (a warmup step needs no cosine)
                try:
                    spec.reference(*case.args, **case.kwargs)
                except LookupError:
                    calls += 1
                except Exception:  # noqa: BLE001 - a case the reference refuses before any call
                    pass
            assert calls, f"the reference of {name} never calls {callee} on its cases"
        finally:
            module[stand_in] = saved


GRAD_SUMMED = '''
def linear_mse_grad(w, b, X, y):
    X, y, w = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    r = X @ w + b - y
    return 2 * X.T @ r, float(2 * np.sum(r))
'''
TRAIN_RIGHT = '''
def train_minibatch_sgd(X, y, *, batch_size, lr, epochs, rng):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if not isinstance(batch_size, int) or batch_size < 1 or epochs < 0 or lr <= 0 or len(X) == 0:
        raise ValueError("bad arguments")
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError("X must be (n, d) and y (n,)")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a Generator")
    n = len(X)
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        order = rng.permutation(n) if batch_size < n else np.arange(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            grad_w, grad_b = linear_mse_grad(w, b, X[rows], y[rows])
            w, b = w - lr * grad_w, b - lr * grad_b
        losses.append(float(np.mean((X @ w + b - y) ** 2)))
    return w, float(b), np.array(losses)
'''


@pytest.mark.lesson03
def test_a_right_training_loop_on_a_wrong_gradient_is_told_so_and_judged_on_its_own():
    """The issue's case: a right ``train_minibatch_sgd`` scored 0 because the ``linear_mse_grad`` it calls summed."""
    result = _judged(_student(GRAD_SUMMED, TRAIN_RIGHT), names=("linear_mse_grad", "train_minibatch_sgd"))
    grad_score, grad_text = result["linear_mse_grad"]
    assert grad_score < 2 and REGISTRY["linear_mse_grad"].mistake("sum-not-mean").hint in grad_text
    score, text = result["train_minibatch_sgd"]
    assert "train_minibatch_sgd calls your linear_mse_grad" in text and "fix linear_mse_grad first" in text, text
    assert "(right for your linear_mse_grad)" in text and score == 2
