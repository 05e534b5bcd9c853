"""The feedback HTML's pieces: test cells shown as the student saw them, and the lessons' formulas as MathML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import nbformat
import pytest

from nncourse import authoring
from nncourse.feedback import FeedbackCells, latex_to_mathml, markdown_to_html, without_hidden_tests
from tests.notebooks.conftest import ROOT, lesson_params

MATHML = "{http://www.w3.org/1998/Math/MathML}"


def _markdown_cells(lesson_id: str) -> list[str]:
    nb = json.loads((ROOT / "source" / lesson_id / f"{lesson_id}.ipynb").read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("lesson", lesson_params())
def test_every_formula_of_the_lesson_becomes_mathml(lesson):
    """No formula is left as LaTeX: no dollar sign outside code, no fallback, no command shown as text."""
    formulas = 0
    for source in _markdown_cells(lesson.id):
        page = markdown_to_html(source)
        outside_code = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", page, flags=re.S)
        assert "$" not in re.sub(r"<math.*?</math>", "", outside_code, flags=re.S), source[:200]
        assert 'class="tex"' not in page, "a formula latex2mathml could not read"
        for element in re.findall(r"<math.*?</math>", page, flags=re.S):
            formulas += 1
            tree = ET.fromstring(element)  # well-formed XML
            texts = [t for node in tree.iter() for t in (node.text, node.tail) if t and t.strip()]
            assert not [t for t in texts if "\\" in t], f"LaTeX left as text in {element[:300]}"
            assert tree.tag == f"{MATHML}math"
    assert formulas > 20


def test_markdown_keeps_code_and_reads_display_formulas():
    page = markdown_to_html("Use `np.mean($x$)`:\n\n$$\\frac{a_i}{b_i} * 2$$\n\nand $y^2$, which costs \\$5 or \\$6.")
    assert "<code>np.mean($x$)</code>" in page
    assert page.count("<math") == 2 and 'display="block"' in page and 'display="inline"' in page
    assert "costs $5 or $6." in page
    assert "<em>" not in page, "an underscore or a star inside a formula was read as emphasis"


def test_latex_the_converter_cannot_read_stays_readable():
    assert latex_to_mathml(r"\frac{1}{") .startswith('<code class="tex">')
    assert "operatorname" not in latex_to_mathml(r"\arg\min_x f(x)")
    assert "fan_in" in latex_to_mathml(r"\text{fan\_in}")


def test_test_cells_lose_the_hidden_check_and_the_stray_score():
    cell = authoring.graded_test("mse", 2, "mse: checks.", "assert_close(mse(a, b), 1.0)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="mse: all 6 checks passed.\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "2.0"}, execution_count=3)]
    solution = authoring.solution("mse", "def mse(a, b):\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    solution.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "7"}, execution_count=2)]
    shown, _ = FeedbackCells().preprocess_cell(cell, {}, 0)
    assert shown.source == '"""mse: checks."""\nassert_close(mse(a, b), 1.0)'
    assert [o.output_type for o in shown.outputs] == ["stream"]
    untouched, _ = FeedbackCells().preprocess_cell(solution, {}, 1)
    assert [o.output_type for o in untouched.outputs] == ["execute_result"]
    assert without_hidden_tests("a\n  ### BEGIN HIDDEN TESTS\nsecret\n  ### END HIDDEN TESTS\nb") == "a\nb"
