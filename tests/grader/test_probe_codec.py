"""The probe payload: a safe codec, and probing in a kernel that cannot import ``solutions``.

The codec's round trip is exercised by every grader test (``grade`` goes
through the payload as JSON text); here are its bounds and refusals, and the
proof that probe-only mode needs no reference: every graded function is
probed in a subprocess where ``import solutions`` raises ``ImportError``
(with the reference copied under another name as the "student's" code), and
the payloads, judged here, give full marks.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader import probe_codec
from grader.calls import Opaque, Outcome
from grader.check import judge_payload, probe_payload
from grader.course import LESSONS
from grader.probe_codec import PayloadError, decode, encode, make_payload, read_payload

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.project


def _through_json(value):
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


@pytest.mark.parametrize("dtype", ["f8", ">f8", "f4", "f2", "i1", "<i2", ">i4", "i8", "u1", "u8", "bool", "c16"])
def test_arrays_round_trip_exactly_with_their_dtype(dtype):
    rng = np.random.default_rng(0)
    a = (rng.normal(size=(3, 4)) * 50).astype(dtype)
    back = _through_json(a)
    assert back.dtype == a.dtype.newbyteorder("=") and back.shape == a.shape
    assert np.array_equal(back, a)
    assert back.flags.writeable


def test_special_values_and_containers_round_trip():
    value = [np.array([np.nan, np.inf, -np.inf, -0.0]), float("nan"), float("-inf"), 2**80, -3, True, None,
             np.float32(1.5), np.int64(-7), np.bool_(False), 1 + 2j, "text", (1, [2, (3,)]),
             {"a": 1, (1, 2): np.arange(2)}, np.zeros((0, 3)), np.asfortranarray(np.eye(3))[:, ::2]]
    back = _through_json(value)
    assert np.array_equal(back[0], value[0], equal_nan=True) and np.signbit(back[0][3])
    assert np.isnan(back[1]) and back[2] == float("-inf")
    assert back[3] == 2**80 and type(back[3]) is int and back[4] == -3
    assert back[5] is True and back[6] is None
    assert type(back[7]) is np.float32 and back[7] == 1.5
    assert type(back[8]) is np.int64 and type(back[9]) is np.bool_
    assert back[10] == 1 + 2j and back[11] == "text"
    assert back[12] == (1, [2, (3,)]) and type(back[12]) is tuple and type(back[12][1]) is list
    assert back[13]["a"] == 1 and np.array_equal(back[13][(1, 2)], np.arange(2))
    assert back[14].shape == (0, 3)
    assert np.array_equal(back[15], np.eye(3)[:, ::2])


def test_outcomes_and_opaque_values_round_trip():
    outcome = Outcome(value=(np.ones(2), Opaque("generator")), error="ValueError: bad", error_types=("ValueError",),
                      timed_out=False, warnings=("RuntimeWarning: overflow",), mutated=("theta",),
                      foreign="lessons")
    back = _through_json(outcome)
    assert np.array_equal(back.value[0], np.ones(2)) and back.value[1] == Opaque("generator")
    assert (back.error, back.error_types, back.warnings, back.mutated, back.foreign) == (
        outcome.error, outcome.error_types, outcome.warnings, outcome.mutated, outcome.foreign)


def test_non_numeric_arrays_become_opaque():
    assert _through_json(np.array(["a", "b"])) == Opaque("ndarray of <U1")
    assert _through_json(np.array(["2020-01-01"], dtype="M8[D]")) == Opaque("ndarray of datetime64[D]")


def test_numbers_the_checks_do_not_take_become_opaque():
    from decimal import Decimal

    assert _through_json([Decimal("1.5"), 10**400]) == [Opaque("Decimal"), Opaque("int with more than 300 digits")]


def test_encoding_something_probes_never_produce_is_a_type_error():
    with pytest.raises(TypeError, match="set"):
        encode({1, 2})


def _payload(groups, calls=()):
    return {"format": probe_codec.FORMAT, "version": probe_codec.VERSION, "name": "mse", "groups": groups,
            "calls": list(calls)}


def _array(dtype="<f8", shape=(2,), data=None):
    raw = data if data is not None else base64.b64encode(np.zeros(2).tobytes()).decode()
    return {"$array": {"dtype": dtype, "shape": list(shape), "data": raw}}


@pytest.mark.parametrize("groups, problem", [
    ({"$pickle": "gASVAAAAAAAAAAA="}, "unknown tag"),
    ([_array(dtype="|O8")], "dtype"),
    ([_array(dtype="<U3")], "dtype"),
    ([_array(dtype=["<f8"])], "dtype"),
    ([_array(shape=(3,))], "needs 24"),
    ([_array(shape=(-1,))], "shape"),
    ([_array(data="not base64!!")], "base64"),
    ([{"$outcome": {"value": None}}], "fields"),
    ([{"$outcome": {"value": None, "error": None, "error_types": [], "timed_out": False, "warnings": [],
                    "mutated": [], "foreign": "os"}}], "foreign"),
    ([{"$float": "1e3"}], "nan, inf"),
    ([{"$int": "12a"}], "digits"),
    ([7], "integers"),
    ([{"$tuple": [], "$dict": []}], "one tag"),
    ("groups", "must be a list"),
])
def test_malformed_payloads_are_refused_with_the_problem_named(groups, problem):
    with pytest.raises(PayloadError, match=problem):
        read_payload(_payload(groups))


@pytest.mark.parametrize("calls", [["not a name"], [7], "mse", ["f"] * (probe_codec.MAX_CALLS + 1)])
def test_malformed_calls_are_refused(calls):
    payload = {**_payload([]), "calls": calls}
    with pytest.raises(PayloadError, match="calls must be a list"):
        read_payload(payload)


def test_calls_are_read_back_once_each():
    assert probe_codec.read_calls(_payload([], ["softmax", "log_softmax", "softmax"])) == ("softmax", "log_softmax")


def test_payload_bounds_depth_and_size(monkeypatch):
    deep = []
    for _ in range(probe_codec.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(PayloadError, match="nested"):
        read_payload(_payload(deep))
    monkeypatch.setattr(probe_codec, "MAX_BYTES", 1000)
    with pytest.raises(PayloadError, match="bytes"):
        read_payload(_payload(["x" * 2000]))


@pytest.mark.parametrize("payload, reason", [
    ("not even an object", "malformed"),
    ({**make_payload("mse_grad", []), "name": "mse_grad"}, "for `mse_grad`, not `mse`"),
    (make_payload("mse", []), "holds 0 check groups"),
    (make_payload("mse", [[Outcome(value=1.0)]] * 7), "malformed"),
    (make_payload("mse", Opaque("int")), "not a function"),
])
def test_judging_a_bad_payload_scores_zero_with_a_reason(payload, reason):
    report = judge_payload("mse", payload)
    assert report.score(2) == 0 and reason in report.text(2)


def test_judging_an_honest_payload_in_this_process_gives_full_marks():
    from solutions.losses import mse

    report = judge_payload("mse", json.loads(json.dumps(probe_payload("mse", mse, forbidden=()))))
    assert report.score(2) == 2, report.text(2)


_PROBE_WITHOUT_SOLUTIONS = textwrap.dedent("""
    import importlib, importlib.abc, json, sys

    class NoSolutions(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "solutions" or name.startswith("solutions."):
                raise ImportError(f"{name} is hidden in this kernel")

    sys.meta_path.insert(0, NoSolutions())
    sys.path.insert(0, sys.argv[1])
    from grader.check import probe_only, probe_payload
    from grader.course import LESSONS

    assert probe_only(), "a kernel without solutions must be in probe-only mode"
    payloads = {}
    for lesson in LESSONS:
        module = importlib.import_module(f"studentref.{lesson.module}")
        for name in lesson.functions:
            payloads[name] = probe_payload(name, getattr(module, name))
    def changes_its_input(y_pred, y_true):
        y_pred -= y_true
        return 2 * y_pred / y_pred.size

    payloads["mutating mse_grad"] = probe_payload("mse_grad", changes_its_input)
    leaked = sorted(m for m in sys.modules if m == "solutions" or m.startswith("solutions."))
    assert not leaked, leaked
    json.dump(payloads, sys.stdout, allow_nan=False)
""")


def test_probe_only_mode_needs_no_reference_and_its_payloads_earn_full_marks(tmp_path):
    # The "student's" code: the reference copied as another package (so no probe can reach it as
    # `solutions`), run where `import solutions` raises ImportError.
    package = tmp_path / "studentref"
    package.mkdir()
    for path in (ROOT / "solutions").glob("*.py"):
        (package / path.name).write_text(path.read_text().replace("from solutions import", "from studentref import"))
    script = tmp_path / "probe.py"
    script.write_text(_PROBE_WITHOUT_SOLUTIONS)
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=900, env={"PATH": "", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    payloads = json.loads(done.stdout)
    # Without the reference the kernel knows no parameter names; the judge names the changed argument.
    report = judge_payload("mse_grad", payloads.pop("mutating mse_grad"))
    assert "changed its argument(s) y_pred in place" in report.text(1), report.text(1)
    names = {name for lesson in LESSONS for name in lesson.functions}
    assert set(payloads) == names
    for name, payload in payloads.items():
        report = judge_payload(name, payload)
        assert report.score(1) == 1, report.text(1)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    yield path


def test_judging_never_raises_on_a_mangled_payload():
    """Any part of an honest payload replaced by other JSON: a report (usually zero), never an exception."""
    from solutions.losses import mse

    honest = json.loads(json.dumps(probe_payload("mse", mse, forbidden=())))
    paths = list(_leaves(honest))
    rng = np.random.default_rng(7)
    junk = [None, True, 0, -1, 1.5, "", "x" * 50, [], {}, {"$int": "5"}, {"$tuple": [1]}, [[]], {"$opaque": "x"}]
    for _ in range(300):
        mangled = json.loads(json.dumps(honest))
        path = paths[rng.integers(len(paths))]
        if not path:
            continue
        parent = mangled
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = junk[rng.integers(len(junk))]
        report = judge_payload("mse", mangled)
        assert 0 <= report.score(2) <= 2
