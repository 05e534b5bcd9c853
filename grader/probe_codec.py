"""A safe codec for the probes' data: what the student's kernel sends to the judge.

In the grading kernel, :func:`grader.check` only *probes* the student's
function (see :func:`grader.spec.probe_all`) and sends the data out as a
``display_data`` output of MIME type :data:`MIME`; the judge reads it back
in the grading process, which never ran student code.  The payload is
therefore untrusted input, and this codec is built for that:

- plain JSON only: numbers, strings, lists and objects with one tag key
  (``$tuple``, ``$dict``, ``$array``, ``$scalar``, ``$float``, ``$int``,
  ``$complex``, ``$outcome``, ``$opaque``); nothing is ever imported,
  called or unpickled while decoding;
- arrays as dtype, shape and base64 bytes, for a whitelist of numeric and
  boolean dtypes only (stored little-endian);
- bounded: at most :data:`MAX_BYTES` of JSON, :data:`MAX_DEPTH` levels of
  nesting and :data:`MAX_NODES` values; any violation is a
  :class:`PayloadError` naming the problem.

Example
-------
>>> import numpy as np
>>> data = [(np.arange(3.0), 2, "x")]
>>> back = decode(json.loads(json.dumps(encode(data))))
>>> bool(np.array_equal(back[0][0], data[0][0])) and back[0][1:] == (2, "x")
True
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import numbers
from typing import Any, Iterable

import numpy as np

from .calls import FORBIDDEN_PACKAGES, Opaque, Outcome

#: The MIME type of a probe payload in a notebook cell's outputs.
MIME = "application/vnd.nncourse.probe+json"
#: The payload format's name and version (both checked when decoding).
FORMAT = "nncourse-probe"
VERSION = 2
#: Bounds on a payload: bytes of JSON, nesting depth, number of values, length of one string.
MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 48
MAX_NODES = 1_000_000
MAX_STRING = 100_000
MAX_NDIM = 32
#: At most this many names in a payload's ``calls``.
MAX_CALLS = 100

#: The dtypes an array or NumPy scalar may have in a payload (little-endian).
DTYPES = frozenset({"|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
                    "<f2", "<f4", "<f8", "<c8", "<c16"})

_OUTCOME_FIELDS = ("value", "error", "error_types", "timed_out", "warnings", "mutated", "foreign")


class PayloadError(ValueError):
    """A payload that is not what the kernel side of the grader writes."""


def _dtype_name(dtype: np.dtype) -> str | None:
    """The whitelisted little-endian name of ``dtype``, or ``None`` when it is not allowed."""
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    name = dtype.newbyteorder("<").str
    return name if name in DTYPES else None


def _float(x: float) -> Any:
    x = float(x)
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def encode(value: Any, _depth: int = 0) -> Any:
    """Plain JSON for the probes' ``value`` (see the module docstring for what is allowed).

    Raises
    ------
    TypeError
        For a value of a type the probes never produce (a grader bug).
    """
    if _depth > MAX_DEPTH:
        raise TypeError("probe data nested too deeply to encode")
    d = _depth + 1
    if value is None or isinstance(value, bool) and type(value) is bool:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Outcome):
        return {"$outcome": {
            "value": encode(value.value, d), "error": value.error,
            "error_types": list(value.error_types), "timed_out": bool(value.timed_out),
            "warnings": list(value.warnings), "mutated": list(value.mutated), "foreign": value.foreign}}
    if isinstance(value, Opaque):
        return {"$opaque": value.type_name}
    if isinstance(value, np.ndarray):
        name = _dtype_name(value.dtype)
        if name is None:
            return {"$opaque": f"ndarray of {value.dtype}"}
        data = np.ascontiguousarray(value, dtype=np.dtype(name))
        return {"$array": {"dtype": name, "shape": list(value.shape),
                           "data": base64.b64encode(data.tobytes()).decode("ascii")}}
    if isinstance(value, np.generic):
        name = _dtype_name(value.dtype)
        if name is None:
            return {"$opaque": type(value).__name__}
        raw = np.asarray(value, dtype=np.dtype(name)).tobytes()
        return {"$scalar": {"dtype": name, "data": base64.b64encode(raw).decode("ascii")}}
    if isinstance(value, bool):  # a subclass of bool cannot exist; kept for clarity
        return bool(value)
    if isinstance(value, numbers.Integral):
        value = int(value)
        if value.bit_length() > 1000:
            return {"$opaque": "int with more than 300 digits"}
        return {"$int": str(value)}
    if isinstance(value, numbers.Real):
        return _float(value)
    if isinstance(value, numbers.Complex):
        return {"$complex": [_float(value.real), _float(value.imag)]}
    if isinstance(value, numbers.Number):  # a Decimal, say: a number of a kind the checks do not take
        return {"$opaque": type(value).__name__}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, d) for v in value]}
    if isinstance(value, list):
        return [encode(v, d) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[encode(k, d), encode(v, d)] for k, v in value.items()]}
    raise TypeError(f"probe data of type {type(value).__name__} cannot be sent to the judge")


class _Decoder:
    def __init__(self):
        self.nodes = 0

    def fail(self, what: str):
        raise PayloadError(what)

    def string(self, value: Any, what: str) -> str:
        if not isinstance(value, str):
            self.fail(f"{what} should be a string, got {type(value).__name__}")
        if len(value) > MAX_STRING:
            self.fail(f"{what} is longer than {MAX_STRING} characters")
        return value

    def strings(self, value: Any, what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or len(value) > 1000:
            self.fail(f"{what} should be a list of at most 1000 strings")
        return tuple(self.string(v, what) for v in value)

    def number(self, value: Any) -> float:
        if isinstance(value, dict) and set(value) == {"$float"}:
            text = value["$float"]
            if text not in ("nan", "inf", "-inf"):
                self.fail(f"$float must be nan, inf or -inf, got {text!r}")
            return float(text)
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            return float(value)
        self.fail(f"expected a number, got {type(value).__name__}")

    def raw(self, spec: Any, shape: tuple[int, ...]) -> np.ndarray:
        if not isinstance(spec, dict) or not {"dtype", "data"} <= set(spec) or len(spec) > 3:
            self.fail("an array needs exactly dtype, shape and data")
        name = spec["dtype"]
        if not isinstance(name, str) or name not in DTYPES:
            self.fail(f"dtype {str(name)[:40]!r} is not allowed in a payload")
        dtype = np.dtype(name)
        data = spec["data"]
        if not isinstance(data, str) or len(data) > MAX_BYTES:
            self.fail("array data must be a base64 string within the size bound")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            self.fail("array data is not valid base64")
        count = math.prod(shape)
        if count * dtype.itemsize != len(raw):
            self.fail(f"array data holds {len(raw)} bytes, but shape {shape} of {name} needs "
                      f"{count * dtype.itemsize}")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)

    def shape(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, list) or len(value) > MAX_NDIM or not all(
                type(n) is int and 0 <= n <= MAX_BYTES for n in value):
            self.fail(f"an array shape must be a list of at most {MAX_NDIM} non-negative integers")
        if math.prod(value) > MAX_BYTES:
            self.fail("array too large")
        return tuple(value)

    def outcome(self, body: Any, depth: int) -> Outcome:
        if not isinstance(body, dict) or set(body) != set(_OUTCOME_FIELDS):
            self.fail(f"an outcome needs exactly the fields {', '.join(_OUTCOME_FIELDS)}")
        error = body["error"]
        foreign = body["foreign"]
        if foreign is not None and foreign not in FORBIDDEN_PACKAGES:
            self.fail(f"foreign must be one of {', '.join(FORBIDDEN_PACKAGES)} or null")
        if not isinstance(body["timed_out"], bool):
            self.fail("timed_out must be true or false")
        return Outcome(
            value=self.value(body["value"], depth + 1),
            error=None if error is None else self.string(error, "error"),
            error_types=self.strings(body["error_types"], "error_types"),
            timed_out=body["timed_out"],
            warnings=self.strings(body["warnings"], "warnings"),
            mutated=self.strings(body["mutated"], "mutated"),
            foreign=foreign,
        )

    def value(self, node: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            self.fail(f"nested deeper than {MAX_DEPTH} levels")
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, str):
            return self.string(node, "a string")
        if isinstance(node, float):
            return node
        if isinstance(node, int):
            self.fail("integers are written as {\"$int\": \"...\"}")
        if isinstance(node, list):
            return [self.value(v, depth + 1) for v in node]
        if not isinstance(node, dict) or len(node) != 1:
            self.fail(f"expected a value or an object with one tag, got {type(node).__name__}"
                      + (f" with keys {sorted(node)[:5]}" if isinstance(node, dict) else ""))
        (tag, body), = node.items()
        if tag == "$tuple":
            if not isinstance(body, list):
                self.fail("$tuple must hold a list")
            return tuple(self.value(v, depth + 1) for v in body)
        if tag == "$dict":
            if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
                self.fail("$dict must hold a list of [key, value] pairs")
            out = {}
            for k, v in body:
                key = self.value(k, depth + 1)
                try:
                    hash(key)
                except TypeError:
                    self.fail("a $dict key must be hashable")
                out[key] = self.value(v, depth + 1)
            return out
        if tag == "$float":
            return self.number(node)
        if tag == "$int":
            text = self.string(body, "$int")
            if len(text) > 400 or not text.lstrip("-").isdigit():
                self.fail(f"$int must hold decimal digits, got {text[:40]!r}")
            return int(text)
        if tag == "$complex":
            if not isinstance(body, list) or len(body) != 2:
                self.fail("$complex must hold [real, imag]")
            return complex(self.number(body[0]), self.number(body[1]))
        if tag == "$array":
            if not isinstance(body, dict) or set(body) != {"dtype", "shape", "data"}:
                self.fail("$array needs exactly dtype, shape and data")
            return self.raw(body, self.shape(body["shape"]))
        if tag == "$scalar":
            if not isinstance(body, dict) or set(body) != {"dtype", "data"}:
                self.fail("$scalar needs exactly dtype and data")
            return self.raw(body, ())[()]
        if tag == "$opaque":
            return Opaque(self.string(body, "$opaque"))
        if tag == "$outcome":
            return self.outcome(body, depth)
        self.fail(f"unknown tag {tag[:40]!r}")


def decode(node: Any) -> Any:
    """The probes' data back from :func:`encode`'s JSON (already parsed).

    Raises
    ------
    PayloadError
        When ``node`` is not something :func:`encode` writes, or breaks a bound.
    """
    return _Decoder().value(node)


def make_payload(name: str, data: list | Opaque, calls: Iterable[str] = ()) -> dict:
    """The JSON object the kernel displays for graded function ``name`` and its probes' ``data``
    (one item per check group), or an :class:`Opaque` when what was graded is not a function;
    ``calls`` names the student's other graded functions it called."""
    groups = data if isinstance(data, Opaque) else list(data)
    return {"format": FORMAT, "version": VERSION, "name": name, "groups": encode(groups),
            "calls": sorted(set(calls))}


def read_calls(obj: Any) -> tuple[str, ...]:
    """The names in a payload's ``calls`` (the student's other graded functions it called), checked.

    Raises
    ------
    PayloadError
        When ``calls`` is not a short list of function names.
    """
    calls = obj.get("calls") if isinstance(obj, dict) else None
    if not isinstance(calls, list) or len(calls) > MAX_CALLS or not all(
            isinstance(c, str) and c.isidentifier() and len(c) <= 100 for c in calls):
        raise PayloadError(f"calls must be a list of at most {MAX_CALLS} function names")
    return tuple(dict.fromkeys(calls))


def read_payload(obj: Any) -> tuple[str, list | Opaque]:
    """``(name, data)`` from a payload object (parsed JSON), checked and bounded.

    Raises
    ------
    PayloadError
        When ``obj`` is not a payload of this format and version, is larger
        than :data:`MAX_BYTES`, or holds anything :func:`encode` does not write.
    """
    if not isinstance(obj, dict) or set(obj) != {"format", "version", "name", "groups", "calls"}:
        raise PayloadError("a payload is an object with exactly format, version, name, groups and calls")
    if obj["format"] != FORMAT or obj["version"] != VERSION:
        raise PayloadError(f"expected format {FORMAT!r} version {VERSION}, got {str(obj['format'])[:40]!r} "
                           f"version {str(obj['version'])[:10]}")
    try:
        size = len(json.dumps(obj, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"not plain JSON: {exc}") from None
    if size > MAX_BYTES:
        raise PayloadError(f"{size} bytes, more than the {MAX_BYTES} allowed")
    name = obj["name"]
    if not isinstance(name, str) or not name.isidentifier():
        raise PayloadError("name must be a function name")
    read_calls(obj)
    data = decode(obj["groups"])
    if not isinstance(data, (list, Opaque)):
        raise PayloadError("groups must be a list (or $opaque for something that is not a function)")
    return name, data


def roundtrip(name: str, data: list) -> list:
    """``data`` as the judge receives it: encoded, written as JSON text, parsed and decoded."""
    text = json.dumps(make_payload(name, data), allow_nan=False)
    return read_payload(json.loads(text))[1]
