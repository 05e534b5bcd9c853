"""Importing submissions as learning-management systems export them.

Accepted layouts, in a folder or a ``.zip``:

* ``<student>_<lesson>.ipynb`` (one file per student and lesson), or
* ``<student>/<lesson>/<anything>.ipynb`` or ``<student>/<lesson>.ipynb``.

Each submission is copied to ``submitted/<student>/<lesson>/<lesson>.ipynb``
with nbgrader's ``timestamp.txt`` (the file's modification time, or the zip
entry's date).  A submission never replaces a newer one already collected,
and collecting the same files twice changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from grader.course import LESSON_IDS

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


@dataclass(frozen=True)
class Found:
    """A file in the export, placed (student and lesson known) or not (with the reason)."""

    name: str
    student: str | None = None
    lesson: str | None = None
    timestamp: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Report:
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept_newer: tuple[str, ...]
    unplaced: tuple[Found, ...]
    students: tuple[str, ...]


def _place(parts: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
    """(student, lesson, reason) for an archive path split into its parts."""
    name = parts[-1]
    if not name.endswith(".ipynb"):
        return None, None, "not a notebook (.ipynb)"
    stem = name[: -len(".ipynb")]
    if len(parts) >= 3 and parts[-2] in LESSON_IDS:
        return parts[-3], parts[-2], None
    if len(parts) >= 2 and stem in LESSON_IDS:
        return parts[-2], stem, None
    for lesson_id in LESSON_IDS:
        suffix = "_" + lesson_id
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)], lesson_id, None
    return None, None, ("cannot tell the student and lesson: expected <student>_<lesson>.ipynb or "
                        "<student>/<lesson>/<notebook>.ipynb with a lesson id such as "
                        f"{LESSON_IDS[0]}")


def _checked_student(student: str | None, lesson: str | None, reason: str | None):
    if reason is None and not STUDENT_ID.match(student or ""):
        return None, None, (f"student id {student!r} is not usable: letters, digits, '.', '_' and '-' only, "
                            "starting with a letter or digit")
    return student, lesson, reason


def scan(path: Path) -> tuple[list[tuple[Found, bytes]], list[Found]]:
    """The notebooks in a folder or zip: placed ``(Found, content)`` pairs, and unplaced files."""
    path = Path(path)
    placed: list[tuple[Found, bytes]] = []
    unplaced: list[Found] = []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        if not files:
            raise ValueError(f"{path} is empty: no submissions to collect")
        entries = [(p.relative_to(path).parts, datetime.fromtimestamp(p.stat().st_mtime, timezone.utc),
                    p.read_bytes) for p in files]
    elif path.is_file() and zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
            infos = [i for i in archive.infolist() if not i.is_dir()]
            bad = archive.testzip()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"{path} is not a readable zip file: {exc}") from None
        if bad is not None:
            raise ValueError(f"{path} is a corrupt zip file: {bad} fails its checksum")
        if not infos:
            raise ValueError(f"{path} is empty: no submissions to collect")
        entries = [(PurePosixPath(i.filename).parts, datetime(*i.date_time, tzinfo=timezone.utc),
                    (lambda i=i: archive.read(i))) for i in infos]
    elif path.is_file():
        raise ValueError(f"{path} is neither a folder nor a zip file")
    else:
        raise FileNotFoundError(f"{path} does not exist")
    for parts, stamp, read in entries:
        name = "/".join(parts)
        if any(part.startswith(".") or part == "__MACOSX" for part in parts):
            unplaced.append(Found(name, reason="hidden or system file"))
            continue
        student, lesson, reason = _checked_student(*_place(parts))
        if reason:
            unplaced.append(Found(name, reason=reason))
            continue
        placed.append((Found(name, student, lesson, stamp), read()))
    return placed, unplaced


def read_timestamp(folder: Path) -> datetime | None:
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None
    text = stamp.read_text().strip()
    for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def collect(root: Path, path: Path) -> Report:
    """Copy the submissions found at ``path`` into ``root/submitted/`` and register the students.

    For each student and lesson the newest file of the export wins; an
    existing submission is replaced only by a strictly newer, different one.
    """
    placed, unplaced = scan(path)
    newest: dict[tuple[str, str], tuple[Found, bytes]] = {}
    for found, content in sorted(placed, key=lambda item: item[0].timestamp):
        key = (found.student, found.lesson)
        if key in newest:  # the later file of the same student and lesson wins
            unplaced.append(Found(newest[key][0].name,
                                  reason=f"superseded by a newer file for {key[0]} / {key[1]} in the same export"))
        newest[key] = (found, content)
    added, replaced, unchanged, kept = [], [], [], []
    for (student, lesson), (found, content) in sorted(newest.items()):
        folder = Path(root) / "submitted" / student / lesson
        target = folder / f"{lesson}.ipynb"
        label = f"{student}/{lesson}"
        if target.is_file():
            if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(content).digest():
                unchanged.append(label)
                continue
            current = read_timestamp(folder)
            if current is not None and found.timestamp <= current:
                kept.append(label)
                continue
            replaced.append(label)
        else:
            added.append(label)
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".ipynb.partial")
        partial.write_bytes(content)
        partial.replace(target)  # atomic: a reader never sees half a notebook
        (folder / "timestamp.txt").write_text(found.timestamp.strftime(TIMESTAMP_FORMAT))
    students = sorted({s for s, _ in newest})
    _register(root, students)
    return Report(tuple(added), tuple(replaced), tuple(unchanged), tuple(kept), tuple(unplaced), tuple(students))


def _register(root: Path, students: list[str]) -> None:
    if not students:
        return
    from .pipeline import gradebook

    with gradebook(root) as gb:
        for student in students:
            gb.update_or_create_student(student)
