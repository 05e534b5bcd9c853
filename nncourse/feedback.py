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
  browser without MathJax, a network or a script.

Example
-------
>>> "<math" in markdown_to_html("The mean is $\\\\frac{1}{N}$.")
True
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

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

    def take(match: re.Match) -> str:
        if match.group("fence") or match.group("code"):
            return match.group(0)
        display = match.group("display") is not None
        formulas.append(latex_to_mathml(match.group("display" if display else "inline"), display=display))
        return _PLACEHOLDER.format(len(formulas) - 1)

    rendered = markdown2html_mistune(_TOKENS.sub(take, source))
    return re.sub(r"NNCOURSEMATH(\d+)X", lambda m: formulas[int(m.group(1))], rendered)
