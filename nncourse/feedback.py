"""The feedback a student gets back: nbgrader's feedback HTML, made readable offline.

nbgrader's ``generate_feedback`` renders each autograded notebook to HTML.
The course configures it (``nbgrader_config.py``) with

- :class:`FeedbackCells`, a preprocessor that shows each test cell as the
  student knew it: the hidden-test markers and the grader's call line are
  dropped from its source, and the score that nbgrader read from the cell's
  result is not shown a second time as a stray ``Out: 0.0``;
- the template ``nncourse/templates/feedback`` (in the place of nbgrader's own
  template of that name), whose table of contents and test headings name each
  function with its score, whose report lines wrap, and which loads nothing
  from the network;
- the filter :func:`markdown_to_html`, which turns the lesson's LaTeX into
  MathML when the feedback is written, so that the mathematics shows in any
  browser without MathJax, a network or a script;
- :func:`clean_html` and :class:`SanitizeOutputs`, which keep every piece of
  HTML that came from the student (the outputs of every cell, every Markdown
  cell, raw cells) to an allow-list: no script, no event handler, no
  ``javascript:`` or relative link, no frame, object or form, images only as
  ``data:`` URLs, SVG without its scripts. The student's code is shown as
  text only (Pygments escapes it). They serve the formgrader too: nbgrader's
  formgrader renders the autograded notebook with the same ``HTMLExporter``
  configuration, on the Jupyter server's own origin, where a script would act
  with the instructor's rights.

Autograded notebooks stay untrusted: nbgrader writes them without a signature
in Jupyter's trust database, so JupyterLab neither runs their JavaScript
outputs nor shows their HTML unsanitised (tests/browser/test_hostile_html.py).

Example
-------
>>> "<math" in markdown_to_html("The mean is $\\\\frac{1}{N}$.")
True
>>> clean_html('<img src=x onerror="alert(1)"><script>alert(2)</script>')
'<img>&lt;script&gt;alert(2)&lt;/script&gt;'
"""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from .leaks import BEGIN_HIDDEN, END_HIDDEN

#: The folder holding the course's nbconvert templates (``feedback/`` among them).
TEMPLATES = Path(__file__).with_name("templates")

# --- the test cells ----------------------------------------------------------------------------


def without_hidden_tests(source: str) -> str:
    """``source`` without its hidden tests: the marker lines and everything between them."""
    kept, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN_HIDDEN:
            inside = True
        elif stripped == END_HIDDEN:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


class FeedbackCells(NbGraderPreprocessor):
    """Show each autograded test cell as the student saw it, with the judge's report as its only output.

    Runs in ``generate_feedback`` after nbgrader's ``GetGrades`` (which has
    read the scores from the gradebook already, so nothing here changes a
    grade).
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = without_hidden_tests(cell.source)
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
        return cell, resources


# --- the mathematics ---------------------------------------------------------------------------

#: Fenced code, inline code and the two math delimiters of the lessons, matched in that order; like Jupyter,
#: any text between two unescaped dollar signs is a formula (write ``\$`` for a dollar sign).
_TOKENS = re.compile(
    r"(?P<fence>^(?P<ticks>```+|~~~+)[^\n]*\n.*?^(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<run>`+).+?(?P=run))"
    r"|(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|(?<![\\$])\$(?!\$)(?P<inline>[^$]+?)(?<!\\)\$",
    re.S | re.M,
)

#: LaTeX that latex2mathml does not know, rewritten into LaTeX it does (the result means the same).
_REWRITES = (
    (re.compile(r"\\arg(?![a-zA-Z])"), r"\\operatorname{arg}"),
    (re.compile(r"\\(begin|end)\{aligned\}"), r"\\\1{align*}"),
    (re.compile(r"\\\\\[[^\]]*\]"), r"\\\\"),  # a line break with extra space: \\[2ex]
    (re.compile(r"\\text\{([^{}]*)\}"), lambda m: r"\text{" + m.group(1).replace(r"\_", "_") + "}"),
)

_PLACEHOLDER = "NNCOURSEMATH{}X"
_PLACEHOLDERS = re.compile(r"NNCOURSEMATH(\d+)X")


def _identifier(tex: str) -> str:
    """A formula as a word in a heading's id: its letters and digits."""
    return re.sub(r"[^A-Za-z0-9]", "", tex)


def latex_to_mathml(tex: str, *, display: bool = False) -> str:
    """One LaTeX formula as a MathML ``<math>`` element (``display`` for a formula on its own line).

    A formula the converter cannot read is kept as its LaTeX source in a
    ``<code>`` element, so the page still says what it meant.
    """
    from latex2mathml.converter import convert

    for pattern, replacement in _REWRITES:
        tex = pattern.sub(replacement, tex)
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds for LaTeX it cannot read
        return f'<code class="tex">{html.escape(tex)}</code>'


def markdown_to_html(source: str) -> str:
    """A Markdown cell as HTML, its ``$...$`` and ``$$...$$`` formulas as MathML.

    The formulas are taken out before the Markdown is rendered (so that no
    ``_`` or ``*`` inside one is read as emphasis) and put back, converted,
    after; code spans and fenced code keep their dollar signs.
    """
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    formulas: list[str] = []
    tex_sources: list[str] = []

    def take(match: re.Match) -> str:
        if match.group("fence") or match.group("code"):
            return match.group(0)
        display = match.group("display") is not None
        tex_sources.append(match.group("display" if display else "inline"))
        formulas.append(latex_to_mathml(tex_sources[-1], display=display))
        return _PLACEHOLDER.format(len(formulas) - 1)

    rendered = markdown2html_mistune(_TOKENS.sub(take, source))
    # A heading's id (and its anchor link) is made from its text: a formula there stays a word, not markup.
    rendered = re.sub(r'(?:id|href)="[^"<>]*"', lambda m: _PLACEHOLDERS.sub(
        lambda p: _identifier(tex_sources[int(p.group(1))]), m.group(0)), rendered)
    return _PLACEHOLDERS.sub(lambda m: formulas[int(m.group(1))], rendered)


def safe_markdown(source: str) -> str:
    """:func:`markdown_to_html`, then :func:`clean_html`: a Markdown cell anyone could have written, as HTML."""
    return clean_html(markdown_to_html(source))


# --- what the student made, made safe ----------------------------------------------------------

#: The HTML that Markdown, the lessons and common outputs (pandas' tables, IPython's displays) produce.
HTML_TAGS = frozenset("""a abbr b blockquote br caption cite code col colgroup dd del details dfn div dl dt em
    figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary
    sup table tbody td tfoot th thead tr u ul var""".split())
#: MathML's presentation elements, as latex2mathml writes them; not ``maction`` (its actions) nor
#: ``annotation-xml`` (it may hold HTML).
MATHML_TAGS = frozenset("""math annotation menclose merror mfenced mfrac mi mmultiscripts mn mo mover mpadded
    mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder
    munderover none semantics""".split())
#: Attributes any allowed element may carry (``style`` goes through bleach's CSS allow-list).
GLOBAL_ATTRIBUTES = frozenset({"class", "title", "lang", "dir", "style"})
TAG_ATTRIBUTES = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "table": {"border"},
    "td": {"colspan", "rowspan", "align", "valign"}, "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "ol": {"start", "type", "reversed"}, "li": {"value"},
    "details": {"open"}, **{f"h{n}": {"id"} for n in range(1, 7)},
}
MATHML_ATTRIBUTES = frozenset("""xmlns display displaystyle mathvariant mathsize mathcolor mathbackground
    scriptlevel stretchy fence separator separators form lspace rspace largeop movablelimits accent accentunder
    symmetric minsize maxsize width height depth voffset linethickness bevelled numalign denomalign columnalign
    rowalign columnspacing rowspacing columnlines rowlines columnspan rowspan frame framespacing equalrows
    equalcolumns notation open close encoding align""".split())
MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
#: Where a link may go: a place on the same page, or a web page or an address outside the course. No
#: ``javascript:`` and no relative link (which, in the formgrader, would open a file of the submission's
#: folder on the Jupyter server's own origin).
LINK = re.compile(r"#[^\s]*|(?:https?|mailto):[^\s]+", re.I)
#: Images only as data, in a raster format or SVG (which a browser runs no script of inside ``<img>``).
IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]+")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag in MATHML_TAGS:
        return name in MATHML_ATTRIBUTES and (name != "xmlns" or value == MATHML_NAMESPACE)
    if name in GLOBAL_ATTRIBUTES:
        return True
    if name not in TAG_ATTRIBUTES.get(tag, ()):
        return False
    if name == "href":
        return bool(LINK.fullmatch(value.strip()))
    if name == "src":
        return bool(IMAGE.fullmatch(value.strip()))
    return True


_THREAD = threading.local()


def _cleaner():
    """This thread's bleach ``Cleaner`` (a ``Cleaner`` is not safe to share between threads)."""
    if not hasattr(_THREAD, "cleaner"):
        import bleach
        from bleach.css_sanitizer import CSSSanitizer

        _THREAD.cleaner = bleach.sanitizer.Cleaner(
            tags=HTML_TAGS | MATHML_TAGS, attributes=_allowed_attribute, protocols=["http", "https", "mailto", "data"],
            strip=False, strip_comments=True, css_sanitizer=CSSSanitizer())
    return _THREAD.cleaner


def clean_html(text) -> str:
    """``text`` (HTML from anyone) with only the allow-listed elements and attributes; any other element is
    escaped, so that the page shows what was written as text (``<script>`` reads as ``<script>``) and
    runs none of it.

    Kept: Markdown's and tables' HTML, MathML, images as ``data:`` URLs, links to ``#`` anchors and to
    ``http(s):`` or ``mailto:`` addresses. Dropped: every ``on...`` handler, ``javascript:`` and relative
    URLs, ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<embed>``, forms, inline SVG, comments.
    """
    text = text.decode() if isinstance(text, bytes) else str(text)
    return _cleaner().clean(text)


#: SVG elements removed with everything inside them: scripts, HTML islands, and animations that set attributes.
_SVG_DROPPED = frozenset({"script", "foreignObject", "handler", "listener", "set", "animate", "animateMotion",
                          "animateTransform", "animateColor", "iframe", "object", "embed", "audio", "video"})


def clean_svg(svg: str) -> str | None:
    """An SVG image without its scripts, handlers, HTML islands, animations or links out (``None`` if it
    does not parse as XML; the output then shows its text)."""
    import xml.etree.ElementTree as ET

    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(svg)
    except Exception:  # noqa: BLE001 - defusedxml and expat raise several kinds for markup they refuse
        return None

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or local(child.tag) in _SVG_DROPPED:
                parent.remove(child)
    if local(root.tag) != "svg":
        return None
    for element in root.iter():
        for name, value in list(element.attrib.items()):
            bare = local(name).lower()
            if bare.startswith("on") or (bare == "href" and not (value.startswith("#") or IMAGE.fullmatch(value))):
                del element.attrib[name]
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="unicode")


#: Output formats shown as they are: text, and raster images (which the template writes as ``data:`` URLs).
SAFE_MIMETYPES = frozenset({"text/plain", "text/latex", "image/png", "image/jpeg", "image/gif"})


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class SanitizeOutputs(Preprocessor):
    """Every output of every cell made safe to show in a browser logged in to Jupyter.

    HTML is cleaned (:func:`clean_html`), Markdown rendered and cleaned into HTML, SVG stripped of its
    scripts (:func:`clean_svg`); JavaScript, widget views and any format not known to be harmless are
    dropped (the output's text stays). An output's ``isolated`` (an iframe) and ``filenames`` (an image
    outside the page) metadata go too. Raw HTML cells are cleaned; Markdown cells are cleaned when the
    template renders them (the filters ``clean_html`` and ``markdown2html``).
    """

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "raw" and cell.metadata.get("raw_mimetype", "").lower() in ("text/html", ""):
            cell.source = clean_html(cell.source)
        for output in cell.get("outputs", []) if cell.cell_type == "code" else ():
            if output.get("output_type") not in ("display_data", "execute_result", "update_display_data"):
                continue
            data = output.get("data", {})
            for mime in list(data):
                if mime in SAFE_MIMETYPES:
                    continue
                if mime == "text/html":
                    data[mime] = clean_html(_text(data[mime]))
                elif mime == "text/markdown":
                    markdown = _text(data.pop(mime))
                    data.setdefault("text/html", safe_markdown(markdown))
                elif mime == "image/svg+xml" and (svg := clean_svg(_text(data[mime]))) is not None:
                    data[mime] = svg
                else:
                    del data[mime]
            metadata = output.get("metadata", {})
            for key in ("isolated", "filenames"):
                metadata.pop(key, None)
            for value in metadata.values():
                if isinstance(value, dict):
                    value.pop("isolated", None)
        return cell, resources
