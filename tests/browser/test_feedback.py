"""The feedback HTML a student gets back, opened in Chromium with the network cut off.

One submission of lesson 01 with a catalogued mistake (``mse`` sums instead
of averaging, which also fails a visible check) goes through the real
pipeline (autograde in the sandbox, then ``generate_feedback``); the page is
opened from disk in a browser context that is offline and refuses every
request that is not for the file itself.
"""

from __future__ import annotations

import json

import pytest

from nncourse import grading, pipeline
from grader.specs import REGISTRY
from tests.notebooks.conftest import copy_course

from .conftest import ARTIFACTS, VIEWPORT

LESSON = "01-loss-functions"
SUMMED = "def mse(y_pred, y_true):\n    return float(np.sum((np.asarray(y_pred) - y_true) ** 2))"

pytestmark = pytest.mark.lesson01


@pytest.fixture(scope="module")
def feedback_page(chromium, tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("feedback") / "course", LESSON)
    pipeline.generate(course, LESSON)
    nb = json.loads(pipeline.notebook_path(course, "source", LESSON).read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "mse":
            cell["source"] = SUMMED
    submission = course / "summed.ipynb"
    submission.write_text(json.dumps(nb))
    pipeline.submit(course, LESSON, "student", submission)
    pipeline.autograde(course, LESSON, "student")
    grading.feedback(course, [grading.Result("student", LESSON, "", True, 0.0)])
    return pipeline.notebook_path(course, "feedback", LESSON, "student")


def test_the_feedback_reads_offline_with_its_math_rendered(browser, feedback_page):
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    page = context.new_page()
    requests = []

    def refuse(route):
        if route.request.url != feedback_page.as_uri():
            requests.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", refuse)
    page.goto(feedback_page.as_uri())
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feedback-top.png"))
    assert requests == [], f"the feedback asks for the network: {requests[:5]}"
    assert page.locator("script").count() == 0, "the feedback page needs no script"

    # Every formula is MathML the browser lays out: no raw LaTeX left in the text.
    formulas = page.evaluate("""() => [...document.querySelectorAll('math')].map(m => {
        const r = m.getBoundingClientRect(); return [r.width, r.height]; })""")
    assert len(formulas) > 50
    assert all(w > 0 and h > 0 for w, h in formulas), "a formula is not laid out"
    text = page.inner_text("body")
    for raw in ("$$", "\\frac", "\\hat", "\\sum"):
        assert raw not in text, f"raw LaTeX {raw!r} shown"

    # Test headings and the table of contents name the function; no grader call, marker or stray score.
    assert "Test of mse" in text and "Test of accuracy" in text
    assert page.locator("#toc li").first.inner_text().startswith("Test of mse (Score: 0.0 / 2.0)")
    for hidden in ('__import__("grader")', "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "Out["):
        assert hidden not in text, f"{hidden!r} shown to the student"

    # The report names the mistake though the visible check failed, and its long lines wrap.
    test = page.locator(".nbgrader_cell", has_text="Test of mse").locator("xpath=../..")
    report = test.locator(".output_stdout pre").first
    report.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "feedback-mse.png"))
    assert "Likely mistake: " + REGISTRY["mse"].mistake("sum-not-mean").hint in " ".join(report.inner_text().split())
    assert "The visible checks in this cell stopped" in report.inner_text()
    overflowing = page.evaluate("""() => [...document.querySelectorAll('pre')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).length""")
    assert overflowing == 0, "a <pre> block runs past its box instead of wrapping"
    context.close()
