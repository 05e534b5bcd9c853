"""Predict, then reveal: a short question before a widget or a demo shows the outcome.

A lesson asks, in a cell of its own, ``predict("05-velocity-90")``. The widget
shows the question and its choices (or a box for a number). Only after the
student answers does it show the right answer and why. Nothing is graded and
nothing is required: a student may skip the question and read on.

The answer is kept in ``predictions.json`` in the notebook's folder (the
kernel's working directory), keyed by the question. Running the cell again,
in this session or a later one, shows the answer given and the explanation
straight away; "Answer again" clears it. A folder that cannot be written to
costs the student only the memory of the answer, never an error.

The questions themselves are in :data:`QUESTIONS`
(:mod:`lessons.questions`), so a notebook's cell gives away nothing.
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

__all__ = ["Question", "Prediction", "predict", "STORE", "load_answers", "save_answer"]

#: The file, in the notebook's folder, that keeps the answers.
STORE = "predictions.json"


@dataclass(frozen=True)
class Question:
    """One prediction question.

    Attributes
    ----------
    key : str
        Unique in the course, the lesson's number first (``"05-velocity-90"``).
    prompt : str
        The question (HTML allowed: ``<b>``, ``<code>``, ``&beta;``...).
    answer : int or float
        The index of the right choice, or the right number.
    explanation : str
        Why, shown with the answer (HTML allowed).
    choices : tuple of str
        The choices of a multiple-choice question; empty for a number.
    tolerance : float
        For a number: the relative error accepted as right.
    """

    key: str
    prompt: str
    answer: int | float
    explanation: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.1

    def __post_init__(self):
        if self.choices:
            if len(self.choices) < 2 or not isinstance(self.answer, int) or not 0 <= self.answer < len(self.choices):
                raise ValueError(f"question {self.key!r}: answer must index one of its {len(self.choices)} choices")
        elif not (isinstance(self.answer, (int, float)) and math.isfinite(self.answer)):
            raise ValueError(f"question {self.key!r}: a number question needs a finite number as its answer")
        if not 0 <= self.tolerance < 1:
            raise ValueError(f"question {self.key!r}: tolerance must be in [0, 1), got {self.tolerance}")

    def is_right(self, given) -> bool:
        """Whether ``given`` (a choice's text, or a number) is the right answer."""
        if self.choices:
            return given == self.choices[self.answer]
        try:
            value = float(given)
        except (TypeError, ValueError):
            return False
        return math.isclose(value, float(self.answer), rel_tol=self.tolerance, abs_tol=1e-12)

    @property
    def answer_text(self) -> str:
        return self.choices[self.answer] if self.choices else f"{self.answer:g}"


def load_answers(store: Path) -> dict:
    """The answers kept in ``store``; ``{}`` when it is missing or unreadable (never an error)."""
    try:
        answers = json.loads(Path(store).read_text())
    except (OSError, ValueError):
        return {}
    return answers if isinstance(answers, dict) else {}


def save_answer(store: Path, key: str, value) -> bool:
    """Keep ``value`` as the answer to ``key`` in ``store`` (others kept); ``False`` if the folder is read-only.

    The file is replaced atomically, so an interrupted write never loses the answers already kept.
    """
    store = Path(store)
    answers = load_answers(store)
    if value is None:
        answers.pop(key, None)
    else:
        answers[key] = value
    try:
        fd, tmp = tempfile.mkstemp(dir=store.parent if str(store.parent) else ".", prefix=".predictions-")
        with os.fdopen(fd, "w") as handle:
            json.dump(answers, handle, indent=1, sort_keys=True)
        os.replace(tmp, store)
    except OSError:
        return False
    return True


class Prediction(widgets.VBox):
    """The question, the controls to answer it, and (once answered) the answer and why."""

    def __init__(self, question: Question, *, store: Path | str = STORE):
        self.question = question
        self.store = Path(store)
        self.prompt = widgets.HTML(f"<b>Predict first.</b> {question.prompt}")
        if question.choices:
            self.choice = widgets.ToggleButtons(options=list(question.choices), value=None,
                                                style={"button_width": "auto"})
            self.choice.observe(self._on_choice, names="value")
            self.number = self.check = None
            inputs = [self.choice]
        else:
            self.choice = None
            self.number = widgets.FloatText(value=0.0, description="your answer",
                                            style={"description_width": "initial"})
            self.check = widgets.Button(description="Check", button_style="info")
            self.check.on_click(lambda _button: self._answered(self.number.value))
            inputs = [widgets.HBox([self.number, self.check])]
        self._silent = False  # True while the code, not the student, sets the choice
        self.reveal = widgets.HTML()
        self.again = widgets.Button(description="Answer again", layout=widgets.Layout(display="none"))
        self.again.on_click(lambda _button: self.reset())
        super().__init__([self.prompt, *inputs, self.reveal, self.again],
                         layout=widgets.Layout(border="1px solid #d0d7de", padding="6px"))
        self.add_class("nncourse-prediction")
        kept = load_answers(self.store).get(question.key)
        if kept is not None:
            self._show(kept, saved=True)

    @property
    def revealed(self) -> bool:
        return bool(self.reveal.value)

    def answer(self, value) -> None:
        """Answer as a student does (a choice's text, or a number)."""
        if self.choice is not None:
            self.choice.value = value
        else:
            self.number.value = float(value)
            self._answered(self.number.value)

    def reset(self) -> None:
        """Forget the answer: the question is asked again."""
        save_answer(self.store, self.question.key, None)
        self.reveal.value = ""
        self.again.layout.display = "none"
        if self.choice is not None:
            self._set_choice(None)

    def _on_choice(self, change) -> None:
        if not self._silent:
            self._answered(change["new"])

    def _set_choice(self, value) -> None:
        self._silent = True
        try:
            self.choice.value = value
        finally:
            self._silent = False

    def _answered(self, value) -> None:
        if value is None:
            return
        saved = save_answer(self.store, self.question.key, value)
        self._show(value, saved=saved)

    def _show(self, value, *, saved: bool) -> None:
        q = self.question
        if self.choice is not None and value in q.choices and self.choice.value != value:
            self._set_choice(value)
        if self.number is not None:
            try:
                self.number.value = float(value)
            except (TypeError, ValueError):
                pass
        verdict = ("<b style='color:#1a7f37'>Right.</b>" if q.is_right(value)
                   else f"<b style='color:#b35900'>Not quite:</b> the answer is <b>{html.escape(q.answer_text)}</b>.")
        given = html.escape(str(value) if q.choices else f"{float(value):g}")
        kept = "" if saved else " <i>(This folder cannot be written to: the answer is not kept for the next run.)</i>"
        self.reveal.value = (f"<p style='margin:4px 0'>Your prediction: <b>{given}</b>. {verdict}{kept}</p>"
                             f"<p style='margin:4px 0'>{q.explanation}</p>")
        self.again.layout.display = None


def predict(key: str, *, store: Path | str = STORE) -> Prediction:
    """The prediction widget of the question ``key`` (see :mod:`lessons.questions`)."""
    from .questions import QUESTIONS

    if key not in QUESTIONS:
        raise ValueError(f"no prediction question {key!r}; the course has: {', '.join(sorted(QUESTIONS))}")
    return Prediction(QUESTIONS[key], store=store)
