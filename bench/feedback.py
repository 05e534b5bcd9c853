"""How many catalogued mistakes a student hears of: at the visible check while working, and in the feedback.

For every catalogued mistake of every graded function, its function is run
as a student's would be:

- through the test cell's visible checks, with the hints as shipped
  (``nncourse.visible_hints.coverage``): is the hint in the message of the
  visible check that fails?
- through the returned feedback: the payload the kernel would send (probed
  here, passed through JSON), judged as ``nbgrader autograde`` judges it,
  with the visible checks' failure noted as the test cell would note it: is
  the hint in the report, and does the function lose points?
"""

from __future__ import annotations

import json
import statistics
import time

from nncourse import visible_hints
from grader.cascade import Judged
from grader.check import judge_payload_data, probe_payload
from grader.course import LESSONS
from grader.specs import REGISTRY

POINTS = 2.0


def _flat(text: str) -> str:
    return " ".join(text.split())


def run() -> dict:
    visible = {(r.function, r.mistake): r for r in visible_hints.coverage()}
    rows, lessons, judge_ms = [], [], []
    for lesson in LESSONS:
        notebook = visible_hints.Lesson(lesson.id)
        counts = {"lesson": lesson.id, "mistakes": 0, "visible": 0, "feedback": 0, "lose_points": 0}
        for name in lesson.functions:
            for mistake in REGISTRY[name].mistakes:
                seen = notebook.run(name, mistake.fn)
                start = time.perf_counter()
                payload = json.loads(json.dumps(probe_payload(name, mistake.fn, forbidden=()), allow_nan=False))
                report, data = judge_payload_data(name, payload)
                judge_ms.append(1000 * (time.perf_counter() - start))
                problem = seen.message.splitlines()[0] if seen.failed and seen.message else None
                text, score = Judged(name, POINTS, report, data, kernel_problem=problem).result()
                named = _flat(mistake.hint) in _flat(text)
                at_visible = visible[(name, mistake.key)]
                rows.append({"function": name, "mistake": mistake.key, "visible": at_visible.named,
                             "why_not_visible": at_visible.why, "feedback": named, "score": score})
                counts["mistakes"] += 1
                counts["visible"] += at_visible.named
                counts["feedback"] += named
                counts["lose_points"] += score < POINTS
        lessons.append(counts)
    total = len(rows)
    return {"lessons": lessons, "mistakes": rows, "total": total,
            "visible": sum(r["visible"] for r in rows), "feedback": sum(r["feedback"] for r in rows),
            "lose_points": sum(r["score"] < POINTS for r in rows),
            "judge_median_ms": statistics.median(judge_ms), "judge_max_ms": max(judge_ms)}
