"""The student's notebook with the reference answers filled in, as the browser tests open it.

Built from the release notebook (what a student really gets: no hidden tests,
locked cells with nbgrader's checksums) by replacing the source of each
solution cell with the instructor's cell of the same nbgrader ``grade_id``,
without the ``### BEGIN/END SOLUTION`` markers.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def released_lessons(root: Path = ROOT) -> list[str]:
    """The lessons whose release notebook exists (a lesson being written joins once it is released)."""
    return sorted(p.parent.name for p in (root / "release").glob("*/*.ipynb") if p.stem == p.parent.name)


def notebook(root: Path, kind: str, lesson_id: str) -> Path:
    """``source/<id>/<id>.ipynb`` or ``release/<id>/<id>.ipynb`` under ``root``."""
    return root / kind / lesson_id / f"{lesson_id}.ipynb"


def _text(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _answer(cell: dict) -> str:
    """A source solution cell without its solution markers (and the indentation they sat at)."""
    lines = _text(cell).split("\n")
    return "\n".join(line for line in lines if line.strip() not in MARKERS).strip("\n")


def with_answers(source: dict, released: dict) -> dict:
    """The release notebook ``released`` with every solution cell answered from ``source``.

    Raises ``ValueError`` naming the cell when a released solution cell has no
    instructor cell with its ``grade_id``, or when the release holds hidden tests
    (they must never reach the student's lab).
    """
    answers = {_grade_id(c): _answer(c) for c in source["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    filled = copy.deepcopy(released)
    for index, cell in enumerate(filled["cells"]):
        text = _text(cell)
        if any(marker in text for marker in HIDDEN_MARKERS):
            raise ValueError(f"released cell {index} ({_grade_id(cell)!r}) holds hidden tests")
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        gid = _grade_id(cell)
        if gid not in answers:
            raise ValueError(f"released solution cell {index} has grade_id {gid!r}, "
                             f"which no solution cell of the source notebook has")
        cell["source"] = answers[gid]
    return filled


def write_with_answers(root: Path, lesson_id: str, dest: Path) -> Path:
    """Write the lesson's release notebook with the reference answers to ``dest``; return ``dest``."""
    source = json.loads(notebook(root, "source", lesson_id).read_text())
    released = json.loads(notebook(root, "release", lesson_id).read_text())
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(with_answers(source, released), indent=1))
    return dest
