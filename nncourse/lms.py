"""What the name of a file in a submissions export says: whose it is, which lesson, which attempt.

Three shapes of export are read, each entry by its path inside the export (``/``-separated):

* **Canvas** ("Download Submissions"): flat files ``<sortablename>_<userid>_<submissionid>_<original>``,
  ``<sortablename>_late_<userid>_<submissionid>_<original>`` when late, e.g.
  ``nunezjose_late_4821_99013_01-loss-functions-1.ipynb``. The sortable name is the student's last
  and first names in lower case without spaces or punctuation; the user id is Canvas's ``ID`` column
  of its gradebook export. A file the student submitted again carries ``-1``, ``-2``... before its
  extension: its attempt is that number plus one (``01-loss-functions-1.ipynb`` is attempt 2, a name
  without the suffix attempt 1).
* **Moodle** ("Download all submissions"): a folder per student and plugin,
  ``<Full Name>_<id>_assignsubmission_file_/<file>`` (with any folders inside), or flat files
  ``<Full Name>_<id>_assignsubmission_file_<file>``, e.g. ``José Núñez_4821_assignsubmission_file_/lab.ipynb``.
  The id is Moodle's participant id for this assignment, not a user id: a Moodle student is found in
  the roster by their full name. ``assignsubmission_onlinetext_`` entries are online text, not files.
* a **folder** of the course's own ids: ``<student>_<lesson>.ipynb``, ``<student>/<lesson>/<any>.ipynb``,
  ``<student>/<lesson>.ipynb`` or ``<student>/<any>.ipynb`` (the lesson then read from the notebook).

Folders above the entry's LMS name are only context: one named like a lesson
(``01-loss-functions/nunezjose_4821_99013_notebook.ipynb``) gives the lesson when the file's name does
not. Nothing here reads a file's content or the roster; :mod:`nncourse.collect` does both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.course import LESSON_IDS

from .roster import STUDENT_ID

CANVAS = re.compile(r"^(?P<name>[^\W\d_]+)(?P<late>_late)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<original>.+)$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<rest>.*)$")
ATTEMPT = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)$")


@dataclass(frozen=True)
class Entry:
    """One file of an export, as its path describes it."""

    path: str  #: its path in the export
    lms: str  #: "canvas", "moodle" or "folder" (the course's own ids)
    original: str  #: its own file name, as the student named it (the LMS's prefix removed)
    student: str = ""  #: the course id the path names (folder layouts only)
    name: str = ""  #: the LMS's name for the student: Canvas's sortable name, Moodle's full name
    lms_id: str = ""  #: Canvas's user id, Moodle's participant id
    submission_id: str = ""  #: Canvas's submission id
    late: bool = False  #: Canvas's ``_late_`` mark
    attempt: int = 1  #: 1, or 1 + Canvas's resubmission number
    lesson: str | None = None  #: the lesson the path names, if it names one
    reason: str | None = None  #: why this is no submission at all (not a notebook, online text...)


def unsafe(path: str) -> bool:
    """Whether an archive entry's name points outside the folder it is extracted to."""
    text = path.replace("\\", "/")
    return text.startswith("/") or bool(re.match(r"^[A-Za-z]:", text)) or ".." in text.split("/")


def lesson_in_name(stem: str) -> str | None:
    """The lesson a file or folder name names: exactly a lesson id, or containing exactly one."""
    if stem in LESSON_IDS:
        return stem
    found = [lesson_id for lesson_id in LESSON_IDS if lesson_id in stem]
    return found[0] if len(found) == 1 else None


def _stem(name: str) -> str:
    return name[: -len(".ipynb")] if name.lower().endswith(".ipynb") else name


def _not_notebook(name: str) -> str | None:
    return None if name.lower().endswith(".ipynb") else "not a notebook (.ipynb)"


def _context_lesson(folders: tuple[str, ...]) -> str | None:
    return next((lesson_id for lesson_id in map(lesson_in_name, reversed(folders)) if lesson_id), None)


def _canvas(path: str, parts: tuple[str, ...], match: re.Match) -> Entry:
    original = match["original"]
    stem, attempt = _stem(original), 1
    numbered = ATTEMPT.match(stem)
    if numbered:
        stem, attempt = numbered["stem"], int(numbered["n"]) + 1
    return Entry(path, "canvas", original, name=match["name"], lms_id=match["user"],
                 submission_id=match["submission"], late=bool(match["late"]), attempt=attempt,
                 lesson=lesson_in_name(stem) or _context_lesson(parts[:-1]), reason=_not_notebook(original))


def _moodle(path: str, parts: tuple[str, ...], at: int, match: re.Match) -> Entry:
    inner = ((match["rest"],) if match["rest"] else ()) + parts[at + 1:]
    original = inner[-1] if inner else ""
    base = dict(name=match["name"].strip(), lms_id=match["id"])
    if match["plugin"] != "file":
        return Entry(path, "moodle", original, **base,
                     reason=f"Moodle's {match['plugin']} submission (assignsubmission_{match['plugin']}), not a file")
    lesson = lesson_in_name(_stem(original)) or _context_lesson(inner[:-1]) or _context_lesson(parts[:at])
    return Entry(path, "moodle", original, **base, lesson=lesson, reason=_not_notebook(original))


def _folder(path: str, parts: tuple[str, ...]) -> Entry:
    name = parts[-1]
    stem = _stem(name)
    entry = Entry(path, "folder", name, reason=_not_notebook(name))
    if entry.reason:
        return entry
    if len(parts) >= 3 and parts[-2] in LESSON_IDS:
        student, lesson = parts[-3], parts[-2]
    elif len(parts) >= 2 and stem in LESSON_IDS:
        student, lesson = parts[-2], stem
    else:
        student = lesson = None
        for lesson_id in LESSON_IDS:
            suffix = "_" + lesson_id
            if stem.endswith(suffix) and len(stem) > len(suffix):
                student, lesson = stem[: -len(suffix)], lesson_id
                break
        if student is None and len(parts) >= 2:
            student = parts[-2]  # <student>/<any>.ipynb: the lesson from the notebook
    if student is None:
        return Entry(path, "folder", name, reason=(
            "cannot tell the student and lesson: expected <student>_<lesson>.ipynb or "
            f"<student>/<lesson>/<notebook>.ipynb with a lesson id such as {LESSON_IDS[0]}, "
            "or a Canvas or Moodle export's names"))
    if not STUDENT_ID.match(student):
        return Entry(path, "folder", name, reason=(
            f"student id {student!r} is not usable: letters, digits, '.', '_' and '-' only, "
            "starting with a letter or digit"))
    return Entry(path, "folder", name, student=student, lesson=lesson)


def parse(path: str) -> Entry:
    """What the entry at ``path`` (inside an export, ``/``-separated) says about itself."""
    parts = tuple(p for p in path.replace("\\", "/").split("/") if p)
    if not parts:
        return Entry(path, "folder", "", reason="an empty name")
    for at, part in enumerate(parts):
        match = MOODLE.match(part)
        if match:
            return _moodle(path, parts, at, match)
    match = CANVAS.match(parts[-1])
    if match:
        return _canvas(path, parts, match)
    return _folder(path, parts)
