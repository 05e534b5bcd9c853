"""Checks that no solution or hidden test reaches students.

:func:`source_problems` inspects an instructor notebook before release (a
solution outside a solution cell, an unbalanced marker, a hidden test outside
a test cell would all be copied to students as they are);
:func:`release_problems` inspects a generated student notebook against its
source (no markers, no hidden-test text, no solution lines, every stub naming
its function).
"""

from __future__ import annotations

import json
from pathlib import Path

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _cells(path: Path) -> list[dict]:
    try:
        return json.loads(Path(path).read_text())["cells"]
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a readable notebook: {exc}") from None


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _label(cell: dict, index: int) -> str:
    return f"cell {index + 1} ({_meta(cell).get('grade_id') or cell.get('id', '?')})"


def _balanced(text: str, begin: str, end: str) -> bool:
    depth = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == begin:
            depth += 1
            if depth > 1:
                return False
        elif stripped == end:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def source_problems(path: Path) -> list[str]:
    """Reasons the instructor notebook at ``path`` would leak solutions or hidden tests."""
    problems = []
    for i, cell in enumerate(_cells(path)):
        text, meta, label = _text(cell), _meta(cell), _label(cell, i)
        has_solution = BEGIN_SOLUTION in text or END_SOLUTION in text
        has_hidden = BEGIN_HIDDEN in text or END_HIDDEN in text
        if has_solution and not meta.get("solution"):
            problems.append(f"{label} has solution markers but is not a solution cell: its answer would be "
                            "released as it is")
        if has_hidden and not meta.get("grade"):
            problems.append(f"{label} has hidden-test markers but is not a graded test cell: its hidden "
                            "tests would be released as they are")
        if has_solution and not _balanced(text, BEGIN_SOLUTION, END_SOLUTION):
            problems.append(f"{label}: the solution markers do not pair up")
        if has_hidden and not _balanced(text, BEGIN_HIDDEN, END_HIDDEN):
            problems.append(f"{label}: the hidden-test markers do not pair up")
        if meta.get("solution") and cell.get("cell_type") == "code" and not has_solution:
            problems.append(f"{label} is a solution cell without ### BEGIN SOLUTION: the whole answer would "
                            "be released")
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            problems.append(f"{label} has outputs: clear them (they may show solutions)")
    return problems


def _solution_lines(text: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            inside = True
        elif stripped == END_SOLUTION:
            inside = False
        elif inside and stripped and not stripped.startswith("#") and len(stripped) > 12:
            lines.append(stripped)
    return lines


def _hidden_lines(text: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == BEGIN_HIDDEN:
            inside = True
        elif stripped == END_HIDDEN:
            inside = False
        elif inside and stripped:
            lines.append(stripped)
    return lines


def release_problems(source: Path, release: Path) -> list[str]:
    """Reasons the student notebook ``release`` leaks something of the instructor notebook ``source``."""
    problems = []
    released = _cells(release)
    all_text = "\n".join(_text(c) for c in released)
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
        if marker in all_text:
            problems.append(f"the release still contains {marker!r}")
    for line in (ln for cell in _cells(source) for ln in _hidden_lines(_text(cell))):
        if line in all_text:
            problems.append(f"hidden test text reached the release: {line!r}")
    by_id = {c.get("id"): c for c in released}
    for cell in _cells(source):
        meta = _meta(cell)
        if not meta.get("solution") or cell.get("cell_type") != "code":
            continue
        stub = _text(by_id.get(cell.get("id"), {}))
        leaked = [ln for ln in _solution_lines(_text(cell)) if ln in stub]
        if leaked:
            problems.append(f"solution text of {meta.get('grade_id')} reached the release: {leaked[0]!r}")
        name = meta.get("grade_id")
        if f'raise NotImplementedError("{name} is not implemented yet' not in stub:
            problems.append(f"the stub of {name} does not raise NotImplementedError naming it")
    for cell in released:
        if cell.get("cell_type") == "code" and cell.get("outputs"):
            problems.append(f"{_label(cell, released.index(cell))} of the release has outputs")
    return problems
