"""What the class got wrong: per graded function, the mean score, the share at full marks, and the
catalogued mistake the judge recognised most often, as a table and a chart.

The scores are the gradebook's (:func:`nncourse.export.grades`); the mistakes are those that
:class:`nncourse.judge.JudgeProbes` recorded in each autograded test cell's ``nncourse`` metadata.
Only graded submissions count: a student who handed nothing in is not a zero here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import export, pipeline
from .roster import Roster
from grader.specs import REGISTRY


@dataclass(frozen=True)
class FunctionStats:
    lesson: str
    function: str
    points: float
    graded: int
    mean: float | None
    full_marks: float | None
    #: ``(mistake key, number of students)``, most frequent first.
    mistakes: tuple[tuple[str, int], ...]

    @property
    def top_mistake(self) -> str:
        return self.mistakes[0][0] if self.mistakes else ""

    def hint(self) -> str:
        """The catalogue's message of the most frequent mistake."""
        if not self.mistakes or self.function not in REGISTRY:
            return ""
        return next((m.hint for m in REGISTRY[self.function].mistakes if m.key == self.top_mistake), "")


def _recorded_mistakes(root: Path, lesson_id: str, student: str) -> dict[str, list[str]]:
    path = pipeline.notebook_path(root, "autograded", lesson_id, student)
    if not path.is_file():
        return {}
    nb = json.loads(path.read_text())
    out = {}
    for cell in nb.get("cells", []):
        record = cell.get("metadata", {}).get("nncourse")
        if record and record.get("function"):
            out[record["function"]] = list(record.get("mistakes", []))
    return out


def function_stats(root: Path, lessons: list[str]) -> list[FunctionStats]:
    # An empty class list: only graded submissions count, so the roster's missing rows are not made at all.
    rows = [g for g in export.grades(root, lessons, roster=Roster(())) if g.score is not None]
    out = []
    for lesson_id in lessons:
        graded = [g for g in rows if g.lesson == lesson_id]
        recorded = {g.student: _recorded_mistakes(root, lesson_id, g.student) for g in graded}
        for name, points in export.lesson_points(root, lesson_id).items():
            scores = [s for g in graded for c, s, _ in g.cells if c == name and s is not None]
            counts = Counter(key for student in recorded for key in recorded[student].get(name, []))
            out.append(FunctionStats(
                lesson_id, name, points, len(scores),
                sum(scores) / len(scores) if scores else None,
                sum(s >= points for s in scores) / len(scores) if scores else None,
                tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))))
    return out


def table(stats: list[FunctionStats]) -> str:
    """A plain-text table, one line per function."""
    if not stats:
        return "no graded functions"
    width = max(len("function"), *(len(s.function) for s in stats))
    lines = [f"{'lesson':<22}  {'function':<{width}}  {'graded':>6}  {'mean':>11}  {'full marks':>10}  most frequent mistake",
             ""]
    lines[1] = "-" * len(lines[0])
    for s in stats:
        mean = f"{s.mean:.2f} / {s.points:g}" if s.mean is not None else "-"
        full = f"{s.full_marks:.0%}" if s.full_marks is not None else "-"
        top = f"{s.top_mistake} ({s.mistakes[0][1]} of {s.graded})" if s.mistakes else ""
        lines.append(f"{s.lesson:<22}  {s.function:<{width}}  {s.graded:>6}  {mean:>11}  {full:>10}  {top}")
    return "\n".join(lines)


def chart(stats: list[FunctionStats], path: Path) -> Path:
    """A PNG bar chart of the share at full marks per function, the most frequent mistake written beside it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = [s for s in stats if s.full_marks is not None]
    fig = Figure(figsize=(8, 0.32 * max(len(shown), 3) + 1.0), layout="constrained")
    ax = fig.subplots()
    labels = [f"{s.lesson[:2]} {s.function}" for s in shown]
    ax.barh(range(len(shown)), [s.full_marks for s in shown], color="#0072B2")
    for i, s in enumerate(shown):
        if s.mistakes:
            ax.text(1.02, i, f"{s.top_mistake} ({s.mistakes[0][1]})", va="center", fontsize=7,
                    transform=ax.get_yaxis_transform())
    ax.set_yticks(range(len(shown)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of graded submissions at full marks")
    ax.set_title("Per function: full marks, and the most frequent mistake", fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
