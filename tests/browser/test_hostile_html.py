"""A hostile submission, graded for real, opened where the instructor opens it: no script of the student's runs.

The submission answers lesson 01 correctly, and its ``mse`` solution cell also displays HTML with a
``<script>`` (which sets ``document.title``), an ``<img onerror>``, an SVG with ``onload`` and a script, an
``application/javascript`` output, Markdown with an ``<img onerror>``, an isolated iframe, and returns HTML
with ``onmouseover`` and ``<details ontoggle>``; a Markdown cell the student added holds raw HTML (image,
script, ``javascript:`` link, SVG script, iframe, object), and a code cell a crafted ``text/html`` output.
Every attack that runs pushes its name onto ``window.__pwned``.

It goes through ``nncourse collect`` and ``nncourse grade`` in the instructor's JupyterLab course, and then:

* the feedback HTML, opened from disk, offline: nothing ran, the page holds no script, the student's
  markup reads as text. The control, the same notebook exported by nbconvert's own settings, runs them;
* the autograded notebook in JupyterLab: no signature in the trust database, every cell untrusted, nothing
  ran, the student's text shows. The control, the same notebook signed, runs them;
* the formgrader's page of the submission (on the Jupyter server's own origin, where a script could call
  the Jupyter API with the instructor's session): nothing ran, the student's markup reads as text.
"""

from __future__ import annotations

import json
import shutil

import pytest

from nncourse import cli, pipeline

from .conftest import ARTIFACTS, VIEWPORT
from .student import ROOT, with_answers

pytestmark = pytest.mark.lesson01

LESSON = "01-loss-functions"
STUDENT = "mallory"
Q = '"'


def mark(name: str) -> str:
    """The JavaScript an attack runs: it records its name on ``window.__pwned``."""
    return f"(window.__pwned = window.__pwned || []).push('{name}')"


#: What the ``mse`` cell displays: (IPython.display class, its data, extra arguments).
DISPLAYS = [
    ("HTML", f"<p>student-html-marker</p><script>document.title='pwned';{mark('script')}</script>", ""),
    ("HTML", f"<img src=x onerror={Q}{mark('img-onerror')}{Q}>", ""),
    ("SVG", f"<svg xmlns={Q}http://www.w3.org/2000/svg{Q} width={Q}20{Q} height={Q}20{Q} onload={Q}{mark('svg-onload')}{Q}>"
            f"<script>{mark('svg-script')}</script><circle cx={Q}10{Q} cy={Q}10{Q} r={Q}5{Q}/></svg>", ""),
    ("Javascript", mark("javascript"), ""),
    ("Markdown", f"markdown-output-marker <img src=x onerror={Q}{mark('markdown-output')}{Q}>", ""),
    ("HTML", f"<iframe srcdoc={Q}<script>parent.{mark('iframe')}</script>{Q}></iframe>", ", metadata={'isolated': True}"),
]
RETURNED = (f"<b onmouseover={Q}{mark('mouseover')}{Q}>execute-result-marker</b>"
            f"<details open ontoggle={Q}{mark('ontoggle')}{Q}><summary>s</summary>x</details>")
HOSTILE_CODE = "\n".join(["", "from IPython.display import HTML, SVG, Javascript, Markdown, display",
                          *(f"display({kind}({data!r}){extra})" for kind, data, extra in DISPLAYS),
                          f"HTML({RETURNED!r})"])
HOSTILE_MARKDOWN = "\n\n".join([
    "## student-markdown-marker",
    f"<img src=x onerror={Q}{mark('markdown-img')}{Q}>",
    f"<script>{mark('markdown-script')}</script>",
    f"[student-link](javascript:{mark('markdown-link')})",
    f"<svg><script>{mark('markdown-svg')}</script></svg>",
    f"<iframe srcdoc={Q}<script>parent.{mark('markdown-iframe')}</script>{Q}></iframe>",
    f"<object data={Q}data:text/html,<script>parent.{mark('markdown-object')}</script>{Q}></object>",
])


def hostile_notebook() -> dict:
    """Lesson 01 answered with the reference answers, and the attacks above."""
    source = json.loads(pipeline.notebook_path(ROOT, "source", LESSON).read_text())
    release = json.loads(pipeline.notebook_path(ROOT, "release", LESSON).read_text())
    nb = with_answers(source, release)
    mse = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "mse")
    mse["source"] = "".join(mse["source"]) + "\n" + HOSTILE_CODE
    nb["cells"].append({"cell_type": "markdown", "id": "student-markdown", "metadata": {},
                        "source": HOSTILE_MARKDOWN})
    planted = {"output_type": "display_data", "metadata": {},
               "data": {"text/html": f"<img src=x onerror={Q}{mark('planted')}{Q}>", "text/plain": "planted"}}
    nb["cells"].append({"cell_type": "code", "id": "student-planted", "metadata": {}, "execution_count": 1,
                        "source": "1 + 1", "outputs": [planted]})
    return nb


@pytest.fixture(scope="module")
def graded(instructor_lab, tmp_path_factory):
    """The hostile submission collected and graded in the instructor's lab's course."""
    root = instructor_lab.root
    export = tmp_path_factory.mktemp("hostile-export")
    (export / f"{STUDENT}_{LESSON}.ipynb").write_text(json.dumps(hostile_notebook()))
    assert cli.main(["--course", str(root), "collect", str(export)]) == 0
    assert cli.main(["--course", str(root), "grade", LESSON, "--student", STUDENT]) == 0
    return root


@pytest.fixture
def instructor_page(browser_context, instructor_lab):
    p = browser_context.new_page()
    yield p
    p.close()
    instructor_lab.shutdown_kernels()


def _pwned(page) -> list[str]:
    return page.evaluate("() => window.__pwned || []")


def _provoke(page, selector: str) -> None:
    """Move the mouse over what the student wrote and click its links, then give handlers time to fire."""
    for element in page.locator(selector).all():
        try:
            element.scroll_into_view_if_needed(timeout=2_000)
            element.hover(timeout=2_000)
        except Exception:  # noqa: BLE001 - an element with nothing to hover (hidden, zero-sized) provokes nothing
            pass
    page.wait_for_timeout(1_000)


def _open_offline(browser, path):
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    page = context.new_page()
    requests = []

    def refuse(route):
        if route.request.url != path.as_uri():
            requests.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", refuse)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    _provoke(page, "b, a, details, img")
    return context, page, requests


def test_the_feedback_runs_nothing_the_student_wrote_and_shows_it_as_text(browser, graded, tmp_path):
    feedback = pipeline.notebook_path(graded, "feedback", LESSON, STUDENT)
    context, page, requests = _open_offline(browser, feedback)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hostile-feedback.png"), full_page=True)
        assert _pwned(page) == []
        assert page.title() == f"{LESSON}: feedback"
        assert page.locator("script, iframe, object, embed, svg, form").count() == 0
        assert requests == [], f"the feedback asks for the network: {requests[:5]}"
        text = page.inner_text("body")
        for shown in ("student-html-marker", "markdown-output-marker", "execute-result-marker",
                      "student-markdown-marker", "student-link", "<script>document.title='pwned';",
                      "<script>" + mark("markdown-script") + "</script>"):
            assert shown in text, shown
        assert "Test of mse (Score: 2.0 / 2.0)" in text, "the hostile answer is still graded as it deserves"
        assert page.locator(".output_svg img").count() == 1, "the SVG is shown as an image"
    finally:
        context.close()

    # The control: the same notebook through nbconvert's own settings runs the student's scripts.
    from nbconvert import HTMLExporter

    autograded = pipeline.notebook_path(graded, "autograded", LESSON, STUDENT)
    control = tmp_path / "control.html"
    control.write_text(HTMLExporter(template_name="classic").from_filename(str(autograded))[0])
    context, page, _ = _open_offline(browser, control)
    try:
        ran = _pwned(page)
        assert {"script", "img-onerror", "markdown-img", "ontoggle"} <= set(ran), ran
        assert page.title() == "pwned"
    finally:
        context.close()


def _open_in_lab(page, lab, path: str, workspace: str) -> str:
    """Open ``path``, provoke the student's outputs and Markdown cell; the text of the ``mse`` cell's outputs."""
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}", "reset"))
    page.wait_for_function("""(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return !!w && !!w.context && w.context.path === path && w.context.isReady; }""", arg=path, timeout=90_000)
    outputs = page.locator(".jp-Cell", has_text="execute-result-marker").locator(".jp-OutputArea").first
    outputs.wait_for(timeout=60_000)
    _provoke(page, ".jp-OutputArea b, .jp-OutputArea details")
    shown = outputs.inner_text()
    # JupyterLab draws the cells near the view only: go through them all to reach the student's Markdown cell.
    page.evaluate("""async () => { const nb = window.jupyterapp.shell.currentWidget.content;
        for (let i = 0; i < nb.widgets.length; i++) { await nb.scrollToItem(i); } }""")
    page.locator(".jp-MarkdownCell", has_text="student-markdown-marker").first.wait_for(timeout=30_000)
    _provoke(page, ".jp-MarkdownCell a, .jp-MarkdownCell img")
    return shown


def test_the_autograded_notebook_is_untrusted_in_jupyterlab(instructor_page, instructor_lab, graded):
    from nbformat import read
    from nbformat.sign import NotebookNotary

    page, lab = instructor_page, instructor_lab
    autograded = pipeline.notebook_path(graded, "autograded", LESSON, STUDENT)
    path = autograded.relative_to(lab.root).as_posix()
    notary = NotebookNotary()  # the server's: the same Jupyter data folder and trust database
    assert not notary.check_signature(read(str(autograded), 4)), "the autograded notebook is signed"
    model = lab.api("GET", f"api/contents/{path}")["content"]
    assert {c["metadata"].get("trusted") for c in model["cells"] if c["cell_type"] == "code"} == {False}

    shown = _open_in_lab(page, lab, path, "hostile-autograded")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-lab.png"))
    assert page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
        .filter(c => c.model.type === 'code').every(c => !c.model.trusted)""")
    assert _pwned(page) == []
    assert page.title() != "pwned"
    for text in ("student-html-marker", "markdown-output-marker", "execute-result-marker"):
        assert text in shown, (text, shown[:2000])

    # The control: the same notebook, signed (trusted), runs the student's scripts in the same JupyterLab.
    copy = lab.root / "hostile-trusted" / LESSON / f"{LESSON}.ipynb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(autograded, copy)
    signed = read(str(copy), 4)
    notary.sign(signed)
    try:
        _open_in_lab(page, lab, copy.relative_to(lab.root).as_posix(), "hostile-trusted")
        ran = _pwned(page)
        assert {"script", "javascript", "img-onerror"} <= set(ran), ran
    finally:
        notary.unsign(signed)
        shutil.rmtree(copy.parent.parent)


def test_the_formgrader_shows_the_submission_without_running_it(instructor_page, instructor_lab, graded):
    from nbgrader.api import Gradebook

    page, lab = instructor_page, instructor_lab
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(LESSON, LESSON, STUDENT).id
    page.goto(lab.url(f"formgrader/submissions/{submission}/"))
    page.wait_for_load_state("load")
    assert page.locator("input.score").count() == 5, "the formgrader's score box of each graded function"
    _provoke(page, "#notebook b, #notebook details, #notebook a, #notebook img")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-formgrader.png"))
    assert _pwned(page) == []
    assert page.title() != "pwned"
    assert page.locator("#notebook iframe, #notebook object, #notebook embed, #notebook svg").count() == 0
    student_scripts = page.evaluate("""() => [...document.querySelectorAll('script')]
        .filter(s => s.textContent.includes('__pwned')).length""")
    assert student_scripts == 0
    text = page.inner_text("#notebook")
    for shown in ("student-html-marker", "execute-result-marker", "student-markdown-marker",
                  "<script>document.title='pwned';"):
        assert shown in text, shown
