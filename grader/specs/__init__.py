"""The checks and the catalogue of mistakes for every graded function, one module per lesson."""

from __future__ import annotations

import importlib

from ..course import LESSONS
from ..spec import Spec

#: Module of ``grader.specs`` holding each lesson's specs (the same name as in ``solutions``).
_MODULES = {lesson.id: lesson.module for lesson in LESSONS}


def _load() -> dict[str, Spec]:
    registry: dict[str, Spec] = {}
    for lesson in LESSONS:
        try:
            module = importlib.import_module(f"{__name__}.{lesson.module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{lesson.module}":
                continue  # lesson not written yet
            raise
        for spec in module.SPECS:
            if spec.name in registry:
                raise RuntimeError(f"graded function {spec.name!r} is specified twice")
            registry[spec.name] = spec
    return registry


REGISTRY: dict[str, Spec] = _load()
