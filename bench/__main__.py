"""``python -m bench``: print the benchmark tables and write them to bench-results.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import autograde, grading, network, widgets


def _table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    header = "  ".join(f"{title:>{width}}" if fmt else f"{title:<{width}}" for title, width, fmt in
                       [(t, w, f) for (t, _, f), w in zip(columns, _widths(rows, columns))])
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = []
        for (title, key, fmt), width in zip(columns, _widths(rows, columns)):
            value = row[key]
            cells.append(f"{value:>{width}{fmt}}" if fmt else f"{str(value):<{width}}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _widths(rows, columns):
    out = []
    for title, key, fmt in columns:
        values = [f"{r[key]:{fmt}}" if fmt else str(r[key]) for r in rows]
        out.append(max([len(title)] + [len(v) for v in values]))
    return out


def main() -> int:
    results: dict = {}
    rows = widgets.run()
    results["widgets"] = rows
    print("Widget updates (set the control, recompute, full redraw), milliseconds")
    print(_table(rows, [("lesson", "lesson", ""), ("widget", "widget", ""), ("control", "control", ""),
                        ("median", "median_ms", ".1f"), ("max", "max_ms", ".1f"), ("n", "updates", "d")]))
    rows = network.run()
    results["network"] = rows
    for row in rows:
        row["ms_per_epoch"] = 1000 * row["s_per_epoch"]
    print(f"\nThe demo network against PyTorch ({rows[0]['measured']})")
    print(_table(rows, [("implementation", "implementation", ""), ("dtype", "dtype", ""),
                        ("ms/epoch", "ms_per_epoch", ".2f"), ("run s", "run_s", ".2f"),
                        ("test acc", "test_accuracy", ".3f"), ("ours/this", "ours_over_this", ".2f")]))
    rows = grading.run()
    results["checks"] = rows
    print("\nOne check() of each reference function (what a hidden test cell costs), milliseconds")
    print(_table(rows, [("lesson", "lesson", ""), ("function", "function", ""), ("median", "median_ms", ".1f")]))
    print(f"total {sum(r['median_ms'] for r in rows) / 1000:.2f} s for all {len(rows)} functions")
    rows = autograde.run()
    results["autograde"] = rows
    print("\nAutograding (seconds; ratios where the line says so)")
    print(_table(rows, [("measure", "measure", ""), ("value", "seconds", ".2f")]))
    out = Path(__file__).resolve().parents[1] / "bench-results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
