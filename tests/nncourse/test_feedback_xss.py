"""No HTML or script a student made can run where the instructor looks: the sanitiser, fast, without a browser.

:func:`nncourse.feedback.clean_html` is tried on the classic attacks (scripts, handlers, ``javascript:``
links, frames, objects, forms, SVG and MathML tricks, mutation-XSS strings) and on what the course needs
(every lesson's Markdown with its MathML, tables, ``data:`` images), :func:`clean_svg` and
:class:`SanitizeOutputs` on a notebook's outputs, and the course's own ``HTMLExporter`` configuration
(``nbgrader_config.py``) on a hostile notebook through both the feedback template and the formgrader's.
tests/browser/test_hostile_html.py opens the real pipeline's pages in Chromium.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from nncourse.feedback import (HTML_TAGS, IMAGE, LINK, MATHML_TAGS, SanitizeOutputs, clean_html, clean_svg,
                               markdown_to_html, safe_markdown)
from tests.notebooks.conftest import ROOT, lesson_params

pytestmark = pytest.mark.project

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


class Markup(HTMLParser):
    """The start tags of a piece of HTML with their attributes (values unescaped), and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def unsafe(cleaned: str) -> list[str]:
    """What in ``cleaned`` a browser could run or load: an element off the allow-list, a handler, a link or
    image source of the wrong kind (empty when it is safe)."""
    found = []
    for tag, attrs in Markup(cleaned).tags:
        if tag not in HTML_TAGS | MATHML_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "action", "formaction", "xlink:href", "data"):
                found.append(f"<{tag} {name}>")
            elif name == "href" and not LINK.fullmatch(value):
                found.append(f"<{tag} href={value!r}>")
            elif name == "src" and not IMAGE.fullmatch(value):
                found.append(f"<{tag} src={value!r}>")
            elif name == "style" and re.search(r"url\(|expression|@import|position", value, re.I):
                found.append(f"<{tag} style={value!r}>")
    return found


ATTACKS = {
    "script": "<script>document.title='pwned'</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg onload": '<svg onload="alert(1)"><circle r="5"/></svg>',
    "svg script": "<svg><script>alert(1)</script></svg>",
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "javascript link, mixed case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript link, tab": '<a href="java&#09;script:alert(1)">x</a>',
    "javascript link, space": '<a href="  javascript:alert(1)">x</a>',
    "relative link": '<a href="evil.html">a file of the submission, served by the formgrader</a>',
    "data link": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "iframe": '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
    "object": '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "embed": '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "form": '<form action="javascript:alert(1)"><button>go</button><input autofocus onfocus=alert(1)></form>',
    "style element": "<style>body { background: url(http://evil.example/x) }</style>",
    "style attribute": '<div style="background-image: url(javascript:alert(1)); position: fixed">x</div>',
    "base": '<base href="javascript:alert(1)//">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link": '<link rel="stylesheet" href="http://evil.example/x.css">',
    "image from the network": '<img src="http://evil.example/track.png">',
    "image as html": '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "maction": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)"><mi>x</mi></maction></math>',
    "math href": '<math href="javascript:alert(1)"><mi>x</mi></math>',
    "annotation-xml": '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    "mxss mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "mxss noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "mxss svg style": '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "comment": "<!--<img src=x onerror=alert(1)>-->",
    "template": "<template><img src=x onerror=alert(1)></template>",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_nothing_that_runs_or_loads_survives(attack):
    cleaned = clean_html(attack)
    assert unsafe(cleaned) == [], cleaned
    assert clean_html(cleaned) == cleaned, "cleaning twice changes the result"


def test_what_is_refused_shows_as_text():
    page = clean_html("<p>hi</p><script>document.title='pwned'</script>")
    assert page.startswith("<p>hi</p>")
    assert "document.title='pwned'" in "".join(Markup(page).text)
    assert "<script>document.title='pwned'</script>" in html.unescape(page)


def test_what_the_course_shows_is_kept():
    table = ('<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th>loss</th>'
             '</tr></thead><tbody><tr><th>0</th><td>0.5</td></tr></tbody></table>')
    image = f'<img src="data:image/png;base64,{PNG}" alt="a plot" width="10" height="10">'
    links = '<a href="#mse">the MSE</a> <a href="https://numpy.org/doc/">NumPy</a> <a href="mailto:ta@uni.example">x</a>'
    details = "<details><summary>Hint</summary><p>Use <code>np.mean</code>, <em>not</em> <b>sum</b>.</p></details>"
    for piece in (table, image, links, details):
        assert Markup(clean_html(piece)).tags == Markup(piece).tags, clean_html(piece)


@pytest.mark.parametrize("lesson", lesson_params())
def test_every_markdown_cell_of_the_lesson_keeps_its_html_and_mathml(lesson):
    nb = json.loads((ROOT / "source" / lesson.id / f"{lesson.id}.ipynb").read_text())
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert sources
    for source in sources:
        rendered = markdown_to_html(source)
        cleaned = safe_markdown(source)
        before, after = Markup(rendered), Markup(cleaned)
        assert after.tags == before.tags, source[:200]
        assert "".join(after.text) == "".join(before.text), source[:200]


def test_a_heading_with_a_formula_keeps_its_markup_out_of_its_id():
    page = markdown_to_html('## The loss $\\text{" onmouseover="alert(1)}$')
    heading = Markup(page).tags[0]
    assert heading[0] == "h2" and dict(heading[1])["id"].startswith("The-loss-")
    assert "<" not in dict(heading[1])["id"] and '"' not in dict(heading[1])["id"]
    assert unsafe(clean_html(page)) == []


def test_svg_loses_its_scripts_and_keeps_its_drawing():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
           '<script>alert(2)</script><a xlink:href="javascript:alert(3)"><circle r="5" onclick="alert(4)"/></a>'
           '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
           '<set attributeName="onmouseover" to="alert(5)"/><use href="#c"/></svg>')
    cleaned = clean_svg(svg)
    assert cleaned is not None and "<circle" in cleaned and 'href="#c"' in cleaned
    for bad in ("alert", "script", "foreignObject", "onload", "onclick", "<set"):
        assert bad not in cleaned, cleaned
    assert clean_svg("<svg><unclosed>") is None
    assert clean_svg('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>') is None


def _hostile_notebook():
    outputs = [
        new_output("display_data", data={"text/html": "<b>html-marker</b><script>alert(1)</script>",
                                         "text/plain": "<HTML>"}, metadata={"isolated": True}),
        new_output("display_data", data={"application/javascript": "alert(2)", "text/plain": "<Javascript>"}),
        new_output("display_data", data={"text/markdown": "md-marker <img src=x onerror=alert(3)>"}),
        new_output("display_data", data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(4)"/>',
                                         "text/plain": "<SVG>"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                                         "text/plain": "widget"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                   metadata={"filenames": {"image/png": "http://evil.example/x.png"}}),
        new_output("execute_result", data={"text/html": "<img src=x onerror=alert(5)>"}, execution_count=1),
        new_output("stream", name="stdout", text="<img src=x onerror=alert(6)>stream-marker\n"),
        new_output("error", ename="ValueError", evalue="<img src=x onerror=alert(7)>",
                   traceback=["ValueError: <img src=x onerror=alert(7)>"]),
    ]
    code = new_code_cell("display(HTML('<script>alert(8)</script>'))", outputs=outputs,
                         metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": "mse", "locked": False,
                                                "schema_version": 3, "points": 0, "score": 0}})
    md = new_markdown_cell("## md-cell-marker\n\n<img src=x onerror=alert(9)>\n\n[x](javascript:alert(10))")
    raw = new_raw_cell("<script>alert(11)</script>", metadata={"raw_mimetype": "text/html"})
    return new_notebook(cells=[code, md, raw], metadata={
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}})


def test_sanitize_outputs_keeps_text_and_images_and_drops_what_runs():
    nb, _ = SanitizeOutputs().preprocess(_hostile_notebook(), {})
    outputs = nb.cells[0].outputs
    assert outputs[0].data["text/html"].startswith("<b>html-marker</b>&lt;script&gt;")
    assert "isolated" not in outputs[0].metadata
    assert set(outputs[1].data) == {"text/plain"}
    assert set(outputs[2].data) == {"text/html"} and unsafe(outputs[2].data["text/html"]) == []
    assert "md-marker" in outputs[2].data["text/html"]
    assert "onload" not in outputs[3].data["image/svg+xml"]
    assert set(outputs[4].data) == {"text/plain"}
    assert outputs[5].data["image/png"] == PNG and "filenames" not in outputs[5].metadata
    assert outputs[6].data["text/html"] == "<img>"
    assert nb.cells[2].source == "&lt;script&gt;alert(11)&lt;/script&gt;"


def _course_config():
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def _no_student_script(page: str) -> list[str]:
    """The student's attacks (``alert(n)``) found where a browser would run them."""
    found = [s[:80] for s in re.findall(r"<script\b[^>]*>.*?</script>", page, re.S | re.I) if "alert(" in s]
    found += [f"{tag} {name}" for tag, attrs in Markup(page).tags for name, value in attrs
              if "alert(" in value]
    return found


@pytest.mark.parametrize("template", ["feedback", "formgrade"])
def test_the_course_exporter_cleans_the_feedback_and_the_formgrader(template):
    """The course's ``HTMLExporter`` configuration, as ``generate_feedback`` and the formgrader load it."""
    from nbconvert import HTMLExporter

    resources = {"nbgrader": {"notebook": "01-loss-functions", "score": 0, "max_score": 0, "late_penalty": 0},
                 "base_url": "", "index": 0, "total": 1, "notebook_id": "01-loss-functions", "assignment_id": "a",
                 "submission_id": "s", "student": "mallory", "last_name": "", "first_name": "", "notebook_path": "p"}
    exporter = HTMLExporter(config=_course_config(), template_name=template)
    page, _ = exporter.from_notebook_node(nbformat.from_dict(_hostile_notebook()), resources=resources)
    assert _no_student_script(page) == []
    text = html.unescape(page)
    for marker in ("html-marker", "md-marker", "stream-marker", "md-cell-marker", "<script>alert(1)</script>"):
        assert marker in text, marker
    assert "application/vnd.jupyter.widget-state+json" not in page
    if template == "feedback":
        assert page.count("<script") == 0
        tags = Markup(page).tags
        metas = [dict(attrs) for tag, attrs in tags if tag == "meta"]
        csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
        assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0], metas
        assert tags.index(("meta", tuple(sorted({"http-equiv": "Content-Security-Policy", "content": csp[0]}.items())))) \
            < [t for t, _ in tags].index("body")
