"""``python -m bench [SECTION ...]``: print the benchmark tables and write them to bench-results.json.

Sections (default: all, in this order): widgets, network, checks, feedback,
notebooks, overhead, parallel, demo, profile; ``autograde`` stands for overhead,
parallel and demo.  Rerunning some sections keeps the others' last results
in ``bench-results.json``; every timing there carries the 1-minute load
average before and after it (the machine is shared) and, where it matters,
CPU seconds next to wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

from nncourse.cli import NBGRADER_NOISE

from .timing import load

RESULTS = Path(__file__).resolve().parents[1] / "bench-results.json"
SECTIONS = ("widgets", "network", "checks", "feedback", "notebooks", "overhead", "parallel", "demo", "profile")
GROUPS = {"autograde": ("overhead", "parallel", "demo"), "all": SECTIONS}
SPEEDUP_TARGET = 1.7


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Rows as aligned text; ``columns`` are (title, key, format): a format right-aligns, "" left-aligns."""
    cells = [["" if row.get(key) is None else f"{row[key]:{fmt}}" if fmt else str(row[key])
              for _, key, fmt in columns] for row in rows]
    widths = [max([len(title)] + [len(r[i]) for r in cells]) for i, (title, _, _) in enumerate(columns)]

    def line(values):
        return "  ".join(f"{v:>{w}}" if fmt else f"{v:<{w}}" for v, w, (_, _, fmt) in zip(values, widths, columns))

    header = line([title for title, _, _ in columns])
    return "\n".join([header, "-" * len(header)] + [line(r) for r in cells])


def _load_text(m: dict) -> str:
    return f"load {m['load_before']:.1f} -> {m['load_after']:.1f}"


def widgets_section() -> tuple[object, str]:
    from . import widgets

    before = load()
    rows = widgets.run()
    after = load()
    for row in rows:
        row.update(load_before=before, load_after=after)
    text = ("Widget updates (set the control, recompute, full redraw), milliseconds\n"
            + table(rows, [("lesson", "lesson", ""), ("widget", "widget", ""), ("control", "control", ""),
                           ("median", "median_ms", ".1f"), ("cpu", "cpu_median_ms", ".1f"), ("max", "max_ms", ".1f"),
                           ("n", "updates", "d")])
            + f"\n(load {before:.1f} -> {after:.1f})")
    return rows, text


def network_section() -> tuple[object, str]:
    from . import network

    rows = network.run()
    for row in rows:
        row["ms_per_epoch"] = 1000 * row["s_per_epoch"]
    text = (f"The demo network against PyTorch ({rows[0]['measured']}); target ours/torch <= 1.0\n"
            + table(rows, [("implementation", "implementation", ""), ("dtype", "dtype", ""),
                           ("ms/epoch", "ms_per_epoch", ".2f"), ("run s", "run_s", ".2f"),
                           ("test acc", "test_accuracy", ".3f"), ("ours/this", "ours_over_this", ".2f"),
                           ("load", "load_after", ".1f")]))
    return rows, text


def checks_section() -> tuple[object, str]:
    from . import grading

    rows = grading.run()
    text = ("One check() of each reference function (what a hidden test cell costs), milliseconds\n"
            + table(rows, [("lesson", "lesson", ""), ("function", "function", ""), ("median", "median_ms", ".1f"),
                           ("load", "load_after", ".1f")])
            + f"\ntotal {sum(r['median_ms'] for r in rows) / 1000:.2f} s for all {len(rows)} functions")
    return rows, text


def feedback_section() -> tuple[object, str]:
    from . import feedback

    res = feedback.run()
    total = res["total"]

    def share(key):
        return f"{res[key]} of {total} ({100 * res[key] / total:.0f}%)"

    text = ("Catalogued mistakes a student hears of: named at the visible check while working, and named in "
            "the returned feedback\n"
            + table(res["lessons"], [("lesson", "lesson", ""), ("mistakes", "mistakes", "d"),
                                     ("visible", "visible", "d"), ("feedback", "feedback", "d"),
                                     ("lose points", "lose_points", "d")])
            + f"\nnamed at the visible check: {share('visible')}; in the feedback: {share('feedback')}; "
            + f"losing points: {share('lose_points')}"
            + f"\njudging one payload: median {res['judge_median_ms']:.1f} ms, max {res['judge_max_ms']:.0f} ms")
    unnamed = [r for r in res["mistakes"] if not r["feedback"]]
    text += "".join(f"\n  not in the feedback: {r['function']} / {r['mistake']}" for r in unnamed)
    reasons: dict[str, int] = {}
    for r in res["mistakes"]:
        if not r["visible"]:
            reasons[r["why_not_visible"]] = reasons.get(r["why_not_visible"], 0) + 1
    text += "".join(f"\n  not named at the visible check, {why}: {n}" for why, n in sorted(reasons.items()))
    return res, text


def notebooks_section() -> tuple[object, str]:
    from . import notebooks

    rows = notebooks.run()
    text = ("Notebook run time with nbclient, a fresh kernel each (student: the release, errors allowed), seconds\n"
            + table(rows, [("lesson", "lesson", ""), ("version", "version", ""), ("kernel", "kernel_s", ".2f"),
                           ("cells", "cells_s", ".2f"), ("demo+widget", "demo_widget_s", ".2f"),
                           ("shutdown", "shutdown_s", ".2f"),
                           ("total", "total_s", ".2f"), ("cpu", "cpu_s", ".2f"), ("errors", "error_cells", "d"),
                           ("slowest cell", "slowest_cell", "d"), ("its s", "slowest_cell_s", ".2f"),
                           ("load", "load_after", ".1f"), ("problem", "problem", "")]))
    for version in ("instructor", "student"):
        done = [r for r in rows if r.get("version") == version and "total_s" in r]
        total, cells = sum(r["total_s"] for r in done), sum(r["cells_s"] for r in done)
        text += (f"\n{version}: {total:.1f} s for {len(done)} notebooks; cells {cells:.1f} s, of which demo and "
                 f"widget cells {sum(r['demo_widget_s'] for r in done):.1f} s; kernel start "
                 f"{sum(r['kernel_s'] for r in done):.1f} s, shutdown {sum(r['shutdown_s'] for r in done):.1f} s")
    return rows, text


def overhead_section() -> tuple[object, str]:
    from . import autograde

    res = autograde.overhead()
    text = (f"Autograde overhead ({res['measured']}), seconds\n"
            + table(res["lessons"], [("lesson", "lesson", ""), ("release", "release_s", ".2f"),
                                     ("execute", "execute_s", ".2f"), ("autograde", "autograde_s", ".2f"),
                                     ("ratio", "ratio", ".2f"), ("execute cpu", "execute_cpu_s", ".2f"),
                                     ("autograde cpu", "autograde_cpu_s", ".2f"), ("cpu ratio", "cpu_ratio", ".2f"),
                                     ("load", "load_after", ".1f"), ("problem", "problem", "")])
            + f"\nexecute {len(res['counted'])} notebooks: {res['execute_s']:.1f} s (cpu {res['execute_cpu_s']:.1f} s)"
            + f"\nautograde them: {res['autograde_s']:.1f} s (cpu {res['autograde_cpu_s']:.1f} s, load "
            + f"{res['autograde_load_before']} -> {res['autograde_load_after']})")
    if res["ratio"] is not None:
        text += (f"\noverhead ratio autograde / execute: {res['ratio']:.2f} wall, {res['cpu_ratio']:.2f} cpu")
    text += (f"\nfeedback HTML afterwards (grading.feedback, one process, one after the other): "
             f"{res['feedback']['wall_s']:.1f} s, {res['feedback_per_submission_s']:.2f} s per submission")
    return res, text


def parallel_section() -> tuple[object, str]:
    from . import autograde

    res = autograde.parallel()
    rows = [{"jobs": jobs, **res[f"jobs{jobs}"]} for jobs in (1, 2)]
    text = (f"Grading {res['submissions']} submissions of {res['lesson']}, seconds\n"
            + table(rows, [("--jobs", "jobs", "d"), ("wall", "wall_s", ".1f"), ("cpu", "cpu_s", ".1f"),
                           ("cores used", "cores_used", ".2f"), ("s/submission", "per_submission_s", ".1f"),
                           ("cpu s/submission", "cpu_per_submission_s", ".2f"),
                           ("load before", "load_before", ".1f"), ("load after", "load_after", ".1f")])
            + f"\nspeed-up of --jobs 2 over --jobs 1: {res['speedup']:.2f} (target >= {SPEEDUP_TARGET}); "
            + f"cores used x{res['cores_ratio']:.2f} from --jobs 1 to --jobs 2 (on a shared machine the speed-up "
            + "is bounded by the extra CPU share the second worker gets)")
    return res, text


def demo_section() -> tuple[object, str]:
    from . import autograde

    res = autograde.demo()
    verdict = "within" if res["within_target"] else "OVER"
    text = (f"nncourse demo, {res['lessons']} lessons: {res['wall_s']:.1f} s wall, {res['cpu_s']:.1f} s cpu, "
            f"{_load_text(res)}; {verdict} the {res['target_s']:.0f} s target; exit {res['returncode']}")
    text += "".join(f"\n  {step}: {seconds:.1f} s" for step, seconds in res.get("steps", {}).items())
    text += "".join(f"\n  {line}" for line in res["tail"])
    return res, text


def profile_section() -> tuple[object, str]:
    from . import autograde

    res = autograde.profile()
    texts = []
    for variant, data in res["variants"].items():
        solo, pair = data["solo"], data["pair"]
        rows = []
        for name, phase in solo["phases"].items():
            others = [p["phases"].get(name, {}) for p in pair]
            rows.append({"phase": name, "calls": phase["calls"], "wall": phase["wall_s"], "cpu": phase["cpu_s"],
                         "pair_wall": sum(o.get("wall_s", 0.0) for o in others) / len(others),
                         "pair_cpu": sum(o.get("cpu_s", 0.0) for o in others) / len(others)})
        for label, key in (("total wall", "wall_s"), ("worker process cpu", "cpu_worker_s"),
                           ("kernel process cpu", "cpu_kernel_s")):
            rows.append({"phase": label, "wall": solo[key] if key == "wall_s" else None,
                         "cpu": None if key == "wall_s" else solo[key],
                         "pair_wall": sum(p[key] for p in pair) / len(pair) if key == "wall_s" else None,
                         "pair_cpu": None if key == "wall_s" else sum(p[key] for p in pair) / len(pair)})
        texts.append(
            f"One autograde of {res['lesson']} in a fresh process, {variant}"
            + (f" ({data['setting']})" if data["setting"] and "\n" not in data["setting"].strip() else "")
            + ", by phase: alone, and the mean of two run at once; seconds\n"
            + table(rows, [("phase", "phase", ""), ("calls", "calls", "d"), ("wall", "wall", ".3f"),
                           ("cpu", "cpu", ".3f"), ("2 at once: wall", "pair_wall", ".3f"),
                           ("cpu", "pair_cpu", ".3f")])
            + f"\nscore {solo['score'][0]:g}/{solo['score'][1]:g}; "
            + f"alone: {solo['wall_s']:.1f} s, {_load_text(solo)}; two at once: {data['pair_wall_s']:.1f} s for "
            + f"both, load {data['pair_load_before']:.1f} -> {data['pair_load_after']:.1f}")
    return res, "\n\n".join(texts)


RUNNERS = {name: globals()[f"{name}_section"] for name in SECTIONS}


def chosen(names: list[str]) -> list[str]:
    """The sections named (groups expanded, duplicates dropped), in the bench's order; all by default."""
    wanted = set()
    for name in names or ["all"]:
        if name in GROUPS:
            wanted.update(GROUPS[name])
        elif name in SECTIONS:
            wanted.add(name)
        else:
            raise ValueError(f"unknown section {name!r}; choose from: {', '.join(SECTIONS + tuple(GROUPS))}")
    return [name for name in SECTIONS if name in wanted]


def merge(path: Path, new: dict) -> dict:
    """The results already in ``path`` (if readable) updated with ``new``; a damaged file is set aside."""
    old: dict = {}
    if path.is_file():
        try:
            old = json.loads(path.read_text())
        except ValueError:
            path.replace(path.with_suffix(".damaged.json"))
        if not isinstance(old, dict):
            old = {}
    sections = dict(old.get("sections", {}))
    sections.update(new)
    return {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "sections": sections}


def main(argv: list[str] | None = None, runners: dict | None = None, out: Path = RESULTS) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"any of {', '.join(SECTIONS)}, or autograde (= {' '.join(GROUPS['autograde'])}); "
                             "default all")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message=NBGRADER_NOISE)  # nbgrader's own, as in `nncourse`
    try:
        names = chosen(args.sections)
    except ValueError as exc:
        parser.error(str(exc))
    runners = runners or RUNNERS
    new = {}
    failed = []
    for name in names:
        start = time.time()
        try:
            data, text = runners[name]()
        except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others' numbers
            failed.append(name)
            data, text = {"error": f"{type(exc).__name__}: {exc}"}, f"{name}: FAILED: {type(exc).__name__}: {exc}"
        new[name] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                     "seconds": round(time.time() - start, 1), "results": data}
        print(text + "\n", flush=True)
        out.write_text(json.dumps(merge(out, {name: new[name]}), indent=2))  # keep what is done so far
    print(f"written to {out.name}: {', '.join(names)}")
    if failed:
        print(f"failed sections: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
