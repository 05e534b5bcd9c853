"""The bench's plumbing: section choice, tables, the JSON file, CPU accounting, one notebook run.

Benchmarks are not tests: nothing here asserts a speed, and nothing autogrades.
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from bench import __main__ as bench_main
from bench import autograde, notebooks
from bench.timing import measured

pytestmark = pytest.mark.project


def test_default_is_every_section_in_order_and_groups_expand():
    assert bench_main.chosen([]) == list(bench_main.SECTIONS)
    assert bench_main.chosen(["demo", "notebooks", "demo"]) == ["notebooks", "demo"]
    assert bench_main.chosen(["autograde"]) == ["overhead", "parallel", "demo"]


def test_an_unknown_section_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_main.main(["notebok"], runners={}, out=None)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown section 'notebok'" in err and "notebooks" in err


def test_table_aligns_columns_and_formats_numbers():
    rows = [{"name": "a", "value": 1.23456, "n": 3}, {"name": "longer", "value": 12.5, "n": None}]
    lines = bench_main.table(rows, [("name", "name", ""), ("value", "value", ".2f"), ("n", "n", "d")]).splitlines()
    assert lines[0].split() == ["name", "value", "n"]
    assert set(lines[1]) == {"-"}
    assert lines[2].split() == ["a", "1.23", "3"]
    assert lines[3].split() == ["longer", "12.50"]  # a missing value is left blank
    assert len({len(line) for line in lines}) == 1


def _fake(name):
    return lambda: ({"value": name}, f"table of {name}")


def test_results_of_a_rerun_section_replace_only_that_section(tmp_path, capsys):
    out = tmp_path / "bench-results.json"
    runners = {name: _fake(name) for name in bench_main.SECTIONS}
    assert bench_main.main(["notebooks", "demo"], runners=runners, out=out) == 0
    first = json.loads(out.read_text())
    assert set(first["sections"]) == {"notebooks", "demo"}
    assert first["sections"]["demo"]["results"] == {"value": "demo"}
    assert first["machine"]["cpus"] >= 1

    runners["demo"] = lambda: ({"value": "again"}, "demo again")
    bench_main.main(["demo"], runners=runners, out=out)
    second = json.loads(out.read_text())
    assert second["sections"]["notebooks"] == first["sections"]["notebooks"]
    assert second["sections"]["demo"]["results"] == {"value": "again"}
    printed = capsys.readouterr().out
    assert "table of notebooks" in printed and "demo again" in printed


def test_a_damaged_results_file_is_set_aside_not_lost(tmp_path):
    out = tmp_path / "bench-results.json"
    out.write_text("{not json")
    bench_main.main(["demo"], runners={"demo": _fake("demo")}, out=out)
    assert (tmp_path / "bench-results.damaged.json").read_text() == "{not json"
    assert set(json.loads(out.read_text())["sections"]) == {"demo"}


def test_a_failing_section_is_reported_and_the_others_still_run(tmp_path, capsys):
    out = tmp_path / "bench-results.json"

    def broken():
        raise RuntimeError("the instructor notebooks did not get full marks")

    assert bench_main.main(["notebooks", "demo"], runners={"notebooks": broken, "demo": _fake("demo")}, out=out) == 1
    sections = json.loads(out.read_text())["sections"]
    assert sections["notebooks"]["results"] == {"error": "RuntimeError: the instructor notebooks did not get full marks"}
    assert sections["demo"]["results"] == {"value": "demo"}
    captured = capsys.readouterr()
    assert "notebooks: FAILED" in captured.out and "failed sections: notebooks" in captured.err


def test_measured_counts_the_cpu_of_a_finished_child_process():
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    with measured() as m:
        subprocess.run([sys.executable, "-c", burn], check=True)
    assert set(m) >= {"wall_s", "cpu_s", "cpu_self_s", "cpu_children_s", "cores_used", "load_before", "load_after"}
    assert m["cpu_children_s"] > 0  # the child's CPU is counted once it has been waited for
    assert m["cpu_s"] == pytest.approx(m["cpu_self_s"] + m["cpu_children_s"], abs=0.002)


def test_execute_counts_cells_and_the_ones_that_raise(tmp_path):
    nb = nbformat.v4.new_notebook()
    demo = nbformat.v4.new_code_cell("y = 2")
    demo.metadata["nbgrader"] = {"grade_id": "demo_penalty", "locked": True, "grade": False, "solution": False}
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), nbformat.v4.new_code_cell("x = 1"), demo,
                nbformat.v4.new_code_cell("raise NotImplementedError('a stub')")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    row = notebooks.execute(path, allow_errors=True)
    assert row["code_cells"] == 3 and row["error_cells"] == 1 and row["slowest_cell"] in (1, 2, 3)
    assert [c["grade_id"] for c in row["cells"]] == ["", "demo_penalty", ""]
    assert row["demo_widget_s"] == row["cells"][1]["s"]  # only the demo cell counts there
    assert {"kernel_s", "cells_s", "shutdown_s", "total_s", "cpu_s", "load_before", "load_after"} <= set(row)


def test_a_notebook_that_cannot_run_is_reported_not_timed(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('half written')")]
    source = tmp_path / "source" / "01-loss-functions" / "01-loss-functions.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(nb, source)
    rows = notebooks.run(tmp_path)
    assert [(r["lesson"], r["version"]) for r in rows] == [("01-loss-functions", "instructor"),
                                                           ("01-loss-functions", "student")]
    assert "CellExecutionError" in rows[0]["problem"] and "total_s" not in rows[0]
    assert rows[1]["problem"] == "no release/01-loss-functions/01-loss-functions.ipynb"


def test_every_written_lesson_is_benched():
    written = [p.parent.name for p in sorted((notebooks.ROOT / "source").glob("*/*.ipynb"))
               if p.stem == p.parent.name]
    assert notebooks.lessons() == written


def test_the_autograde_tables_print_from_their_results(monkeypatch, tmp_path, capsys):
    timing = {"wall_s": 10.0, "cpu_s": 9.0, "cores_used": 0.9, "load_before": 1.0, "load_after": 1.5,
              "per_submission_s": 0.8}
    phases = {"kernel: execute cells": {"wall_s": 4.0, "cpu_s": 0.1, "calls": 14}}
    child = {"wall_s": 7.0, "cpu_worker_s": 1.0, "cpu_kernel_s": 4.0, "phases": phases, "score": [10, 10]}
    monkeypatch.setattr(autograde, "parallel", lambda: {"lesson": "01-loss-functions", "submissions": 12,
                                                        "jobs1": timing, "jobs2": {**timing, "wall_s": 5.0},
                                                        "speedup": 2.0, "cores_ratio": 1.9})
    variant = {"setting": "", "solo": {**child, "load_before": 1.0, "load_after": 1.2}, "pair": [child, child],
               "pair_wall_s": 8.0, "pair_load_before": 1.2, "pair_load_after": 2.0}
    monkeypatch.setattr(autograde, "profile", lambda: {"lesson": "01-loss-functions", "variants": {
        "as configured": variant, "what if": {**variant, "setting": "c.X.y = 1"}}})
    monkeypatch.setattr(autograde, "demo", lambda: {**timing, "returncode": 0, "lessons": 8, "target_s": 180.0,
                                                    "within_target": True, "tail": []})
    lessons = [{"lesson": "01-loss-functions", "problem": "", "execute_s": 5.0, "autograde_s": 8.0, "ratio": 1.6},
               {"lesson": "08-dropout", "problem": "instructor version scored 1/2"}]
    monkeypatch.setattr(autograde, "overhead", lambda: {
        "lessons": lessons, "counted": ["01-loss-functions"], "execute_s": 5.0, "execute_cpu_s": 4.0,
        "autograde_s": 8.0, "autograde_cpu_s": 4.4, "autograde_load_before": 1.0, "autograde_load_after": 2.0,
        "ratio": 1.6, "cpu_ratio": 1.1, "feedback": timing, "feedback_per_submission_s": 1.0,
        "measured": "one complete submission"})
    out = tmp_path / "bench-results.json"
    bench_main.main(["autograde", "profile"], out=out)
    printed = capsys.readouterr().out
    assert "overhead ratio autograde / execute: 1.60 wall, 1.10 cpu" in printed and "instructor version scored 1/2" in printed
    assert "speed-up of --jobs 2 over --jobs 1: 2.00" in printed
    assert "kernel: execute cells" in printed and "kernel process cpu" in printed
    assert "as configured" in printed and "what if (c.X.y = 1)" in printed
    assert "within the 180 s target" in printed
    assert json.loads(out.read_text())["sections"]["parallel"]["results"]["speedup"] == 2.0


def test_the_demo_steps_are_read_from_when_its_lines_arrived():
    lines = [(1.0, "1. a copy of the course"), (20.0, "2. released 9 lesson(s)"), (22.0, "3. an LMS export"),
             (23.0, "4. collected 27 submission(s)"), (23.5, "5. grading in parallel:"),
             (24.0, "grading 27 submission(s) with 2 worker(s)"), (50.0, "[#....] 1/27 blank 01 5.0 s ok"),
             (120.0, "[#####] 27/27 partial 09 6.0 s ok"), (150.0, "student  01"), (151.0, "feedback: /tmp/x")]
    assert autograde._demo_steps(lines) == {"release": 20.0, "export and collect": 3.5, "grade (parallel)": 96.5,
                                            "feedback and grade table": 31.0}
    assert autograde._demo_steps([(1.0, "Traceback")]) == {}


def test_the_what_if_settings_are_settings_of_the_course_config(tmp_path):
    from nncourse import pipeline

    base = (notebooks.ROOT / "nbgrader_config.py").read_text()
    (tmp_path / "nbgrader_config.py").write_text(base)
    configured = pipeline.load_config(tmp_path)
    assert configured.ExecutePreprocessor.shutdown_kernel == "immediate"
    for name, setting in autograde.VARIANTS.items():
        (tmp_path / "nbgrader_config.py").write_text(base + "\n" + setting + "\n")
        config = pipeline.load_config(tmp_path)
        if name == "kernel shutdown graceful":
            assert config.ExecutePreprocessor.shutdown_kernel == "graceful"
        if name == "demo and widget cells run":
            assert config.SandboxedExecute.skip_displays is False
