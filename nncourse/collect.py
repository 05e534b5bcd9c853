"""Importing submissions as learning-management systems export them.

Accepted, in a folder or a ``.zip`` (the names are read by :mod:`nncourse.lms`):

* a Canvas "Download Submissions" export (``doejane_4821_99013_01-loss-functions.ipynb``, ``_late_``,
  resubmissions ``-1``, ``-2``);
* a Moodle "Download all submissions" export (``Jane Doe_4821_assignsubmission_file_/lab.ipynb``, or flat);
* the course's own layouts: ``<student>_<lesson>.ipynb``, ``<student>/<lesson>/<any>.ipynb``,
  ``<student>/<lesson>.ipynb``, ``<student>/<any>.ipynb``;
* one ``.ipynb`` file with ``student=`` (``nncourse collect FILE --student ID``).

**Students.** A Canvas file is its student's by Canvas user id, else by name, in the course's roster
(:mod:`nncourse.roster`, ``roster.csv``); without any roster it is filed as ``canvas-<userid>``. A
Moodle file is its student's by full name, so a Moodle export needs a roster. A course id from a
folder layout or ``student=`` must be in the roster when there is one. ``roster_file=`` (a Canvas or
Moodle gradebook export, or a course roster) is merged into ``roster.csv`` first (nobody is dropped).

**Lessons.** From the file's name when it names one (or a folder above it), else from the notebook's
own nbgrader metadata: the ``grade_id`` of its graded and solution cells name the lesson's functions
(``mse``, ``test_mse``), so a renamed notebook is still placed. ``lesson=`` sets it for every file.

Each submission is copied to ``submitted/<student>/<lesson>/<lesson>.ipynb`` with nbgrader's
``timestamp.txt`` (the file's modification time, or the zip entry's date). Of several files for one
student and lesson the newest wins, the highest attempt when the times tie; the others are
superseded. A submission never replaces a newer one already collected (nor a later attempt of the
same time), and collecting the same files twice changes nothing.

**Bad input** is reported per file and never stops the others: a path outside the export (``..``,
absolute) or a link, a notebook that is not valid JSON, two different files for one student and lesson
with the same time and attempt (neither is collected), an unknown or ambiguous student, a roster that
cannot be read (not merged, ``roster.csv`` left as it is). A notebook that is not valid JSON is
collected only where the student has nothing collected yet for that lesson (grading then reports
it), and any valid notebook collected later replaces it.

**Hostile archives.** Nothing is ever written but ``submitted/<student>/<lesson>/`` (and the course's
records), and an export is read within caps: a member larger than :data:`MAX_NOTEBOOK_BYTES` (50 MiB)
is refused before it is read, by its header's size, and read through a bounded stream, so a header
that lies is refused when the cap is hit; the export expands to :data:`MAX_EXPORT_BYTES` (2 GiB) in all
and the members after that are refused unread; only the first :data:`MAX_MEMBERS` (5,000) members are
looked at, the rest refused in one line, unread. Refused, each with its reason: a symbolic link or
other special file stored in the zip, an encrypted member, one compressed other than stored or
deflated (zipfile expands bzip2 and LZMA without a bound: 785 bytes of bzip2 are 1 GiB), an invalid
date, a name with control characters (shown escaped), an archive inside the export (``.zip`` and the
like by name, or by its content: never expanded), and students whose ids differ only in case
(``Alice`` and ``alice``, one folder on a case-insensitive file system: neither, or the one the course
does not have yet, is collected). A zip whose collected notebook fails its checksum is refused as
corrupt, and nothing is collected from it.

**``collected.json``** (at the course's root, written atomically) records every collected
submission, keyed ``"<student>/<lesson>"``::

    {"jdoe/01-loss-functions": {
        "student": "jdoe", "lesson": "01-loss-functions",
        "lms": "canvas",                  # canvas, moodle, folder (the course's own ids) or file
        "file": "01-loss-functions-1.ipynb",  # the name the student gave it
        "path": "doejane_late_4821_99013_01-loss-functions-1.ipynb",  # its path in the export
        "export": "/home/me/submissions.zip",
        "late": true,                     # the LMS's late mark (Canvas's _late_)
        "attempt": 2,                     # 1, or 1 + Canvas's resubmission number
        "timestamp": "2026-03-04T05:06:08+00:00",  # as in timestamp.txt
        "lms_id": "4821",                 # Canvas's user id, Moodle's participant id, or ""
        "sha256": "...", "valid": true,   # valid: the file is a JSON notebook
        "collected": "2026-03-05T10:00:00+00:00",
        "superseded": [{"path": ..., "file": ..., "attempt": 1, "late": false, "timestamp": ..., "sha256": ...}]}}

:func:`records` reads it (``{}`` when there is none).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from . import lms, roster as roster_module
from .roster import Roster
from grader.course import LESSON_IDS, LESSONS, lesson as lesson_info

STUDENT_ID = lms.STUDENT_ID
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
#: Where the course keeps its record of the collected submissions.
RECORDS = "collected.json"
#: The most one notebook of an export may expand to: a larger member is refused unread (by its header's
#: size), or when its bounded read passes the cap (a header that lies).
MAX_NOTEBOOK_BYTES = 50 * 2**20
#: The most an export may expand to in all: members that would take it further are refused unread.
MAX_EXPORT_BYTES = 2 * 2**30
#: The most members (files) of an export looked at: the rest are refused in one line, unread.
MAX_MEMBERS = 5_000
#: Archives inside an export, by name: never expanded.
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".jar", ".whl")
#: ... and by content: the first bytes of a zip, gzip, bzip2, xz, 7-Zip and RAR file.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
                 b"7z\xbc\xaf\x27\x1c", b"Rar!")
#: The compression methods read: stored and deflate, which zipfile expands only as far as it is asked (it
#: expands bzip2 and LZMA a whole compressed block at a time, unbounded: 785 bytes of bzip2 are 1 GiB).
_READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


@dataclass(frozen=True)
class Found:
    """A file in the export, placed (student and lesson known) or not (with the reason)."""

    name: str  #: its path in the export
    student: str | None = None
    lesson: str | None = None
    timestamp: datetime | None = None
    reason: str | None = None
    lms: str = "folder"
    original: str = ""
    late: bool = False
    attempt: int = 1
    lms_id: str = ""
    #: placed, but not a valid notebook (why)
    problem: str | None = None
    #: not collected because another file of the export is the same student's later one
    superseded: bool = False


@dataclass(frozen=True)
class Report:
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept_newer: tuple[str, ...]
    unplaced: tuple[Found, ...]
    students: tuple[str, ...]
    #: ``student/lesson`` of the export's late submissions (the ones that won)
    late: tuple[str, ...] = ()
    #: what was wrong with the roster (read, merged or stored), one line each
    roster_problems: tuple[str, ...] = ()
    #: anything else to say: the roster used, a collected notebook that is not valid
    notes: tuple[str, ...] = field(default=())


# -- reading the export ----------------------------------------------------------------------------

def notebook_problem(content: bytes) -> tuple[dict | None, str | None]:
    """The notebook in ``content``, or why it is not one."""
    try:
        nb = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "not a valid notebook (not UTF-8 text)"
    except json.JSONDecodeError as exc:
        return None, f"not a valid notebook (not JSON: {exc})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a valid notebook (JSON, but without a list of cells)"
    return nb, None


def lesson_of_notebook(nb: dict) -> tuple[str | None, str | None]:
    """``(lesson, None)`` from the graded cells' nbgrader ``grade_id``, or ``(None, why not)``."""
    names = set()
    for cell in nb.get("cells", []):
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution")):
            names.add(str(meta.get("grade_id", "")).removeprefix("test_"))
    found = [item.id for item in LESSONS if names & set(item.functions)]
    if len(found) == 1:
        return found[0], None
    if found:
        return None, f"its graded cells belong to several lessons ({', '.join(found)}): cannot tell which it is"
    return None, ("cannot tell the lesson: neither its name nor its graded cells (nbgrader grade_ids) name one of "
                  f"the course's lessons, such as {LESSON_IDS[0]}")


def size_text(n: int) -> str:
    """``n`` bytes for a reader: ``50 MiB``, ``1,000 bytes``, ``1.5 MiB (1,572,865 bytes)``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


class Corrupt(Exception):
    """A member of the zip fails its checksum (or its compressed data is broken)."""


def _unprintable(name: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
               for c in name)


def _escaped(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the member, whatever its header says: read through a copy of its
    header that claims more than the cap, so zipfile neither stops at a small size that lies nor lets a
    large one run on; the checksum is checked when the member ends within the cap."""
    bounded = copy.copy(info)
    bounded.file_size = limit + 2  # never reached by a read of limit + 1 bytes: no checksum of a cut read
    try:
        with archive.open(bounded) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Corrupt(str(exc)) from None
    if len(data) <= limit and zlib.crc32(data) != info.CRC:
        raise Corrupt(f"bad CRC-32 for {info.filename!r}")
    return data


def _read_file(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, never through a link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return stream.read(limit + 1)


def _zip_refusal(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "a symbolic link stored in the zip: refused (only the export's own files are collected)"
    if kind not in (0, stat.S_IFREG):
        return "a special file stored in the zip (a device, pipe, socket or folder): refused"
    if lms.unsafe(info.filename):
        return "a path outside the export's folder (absolute, or with '..'): refused"
    if info.flag_bits & 0x1:
        return "encrypted: refused (no password is tried)"
    if info.compress_type not in _READABLE:
        method = zipfile.compressor_names.get(info.compress_type, f"method {info.compress_type}")
        return (f"compressed with {method}: refused (only stored or deflated members are read, which cannot expand "
                "past the cap unseen)")
    return None


def _skipped(first: str, total: int) -> tuple:
    rest = total - MAX_MEMBERS
    name = _escaped(first) if _unprintable(first) else first
    return (f"{name} and the {rest - 1:,} members after it", None, 0, "", None,
            f"{rest:,} members skipped, unread: the export has {total:,}, more than the cap of {MAX_MEMBERS:,} "
            "(MAX_MEMBERS); collect the rest from a smaller export")


def _entries(path: Path, single: bool):
    """``(name, timestamp, size, said, read, refusal)`` for each file of the export: ``size`` as its header
    or the file system ``said``, ``read(limit)`` at most ``limit + 1`` of its bytes. At most
    :data:`MAX_MEMBERS`, then one refusal for the rest."""
    if path.is_dir():
        files, links = [], []
        for folder, dirs, names in os.walk(path):  # never into a linked folder
            for name in dirs:
                if os.path.islink(os.path.join(folder, name)):
                    links.append(Path(folder, name))
            files += [Path(folder, name) for name in names]
        files = sorted(files + links)
        if not files:
            raise ValueError(f"{path} is empty: no submissions to collect")
        for n, p in enumerate(files):
            name = p.relative_to(path).as_posix()
            if n == MAX_MEMBERS:
                yield _skipped(name, len(files))
                return
            info = p.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield name, None, 0, "", None, "a symbolic link: refused (only the export's own files are collected)"
            elif not stat.S_ISREG(info.st_mode):
                yield name, None, 0, "", None, "not a regular file (a device, pipe or socket): refused"
            else:
                yield (name, datetime.fromtimestamp(info.st_mtime, timezone.utc), info.st_size, "it is",
                       (lambda limit, p=p: _read_file(p, limit)), None)
    elif path.is_file() and zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValueError(f"{path} is not a readable zip file: {exc}") from None
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if not infos:
                raise ValueError(f"{path} is empty: no submissions to collect")
            for n, i in enumerate(infos):
                if n == MAX_MEMBERS:
                    yield _skipped(i.filename, len(infos))
                    return
                refusal = _zip_refusal(i)
                try:
                    stamp = datetime(*i.date_time, tzinfo=timezone.utc)
                except ValueError:
                    stamp, refusal = None, refusal or f"its date in the zip ({i.date_time}) is not a date: refused"
                said = "its header says it expands to"
                if refusal:
                    yield i.filename, None, i.file_size, said, None, refusal
                else:
                    yield (i.filename, stamp, i.file_size, said, (lambda limit, i=i: _read_member(archive, i, limit)),
                           None)
    elif path.is_file() and single:
        yield (path.name, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc), path.stat().st_size, "it is",
               (lambda limit: _read_file(path, limit)), None)
    elif path.is_file():
        raise ValueError(f"{path} is neither a folder nor a zip file")
    else:
        raise FileNotFoundError(f"{path} does not exist")


def _student(entry: lms.Entry, roster: Roster | None) -> tuple[str | None, str | None]:
    """The course id of the entry's student, or why there is none."""
    if entry.lms == "canvas" and not entry.student:
        if roster is None:
            return f"canvas-{entry.lms_id}", None
        known = roster.by_canvas_id(entry.lms_id)
        if known:
            return known.student, None
        named = [s for s in roster.by_name(entry.name) if not s.canvas_id or s.canvas_id == entry.lms_id]
        who = f"Canvas user {entry.lms_id} ({entry.name})"
    elif entry.lms == "moodle" and not entry.student:
        who = f"Moodle's {entry.name!r} (participant {entry.lms_id})"
        if roster is None:
            return None, (f"{who}: a Moodle export names students only by full name, so it needs the class list: "
                          "collect with --roster <Moodle gradebook export>")
        named = roster.by_name(entry.name)
    else:
        if roster is not None and roster.get(entry.student) is None:
            return None, (f"unknown student {entry.student!r}: not in the course's roster ({roster_module.FILE}); "
                          "add them, or collect with --roster <a gradebook export that lists them>")
        return entry.student, None
    if len(named) == 1:
        return named[0].student, None
    if named:
        return None, (f"{who} is ambiguous: the roster has {len(named)} students of that name "
                      f"({', '.join(s.student for s in named)})")
    return None, (f"unknown student: {who} is not in the course's roster ({roster_module.FILE}); collect with "
                  "--roster <a fresh gradebook export>, or add them to it")


def scan(path: Path, roster: Roster | None = None, *, student: str | None = None,
         lesson: str | None = None) -> tuple[list[tuple[Found, bytes]], list[Found]]:
    """The notebooks at ``path`` (a folder, a zip, or one notebook with ``student``): placed
    ``(Found, content)`` pairs, and unplaced files with their reason."""
    path = Path(path)
    single = path.is_file() and path.suffix.lower() == ".ipynb"
    if student is not None and not single:
        raise ValueError(f"--student is for one notebook (a .ipynb file); {path} is not one")
    if student is not None and not STUDENT_ID.match(student):
        raise ValueError(f"student id {student!r} is not usable: letters, digits, '.', '_' and '-' only, "
                         "starting with a letter or digit")
    if lesson is not None:
        lesson_info(lesson)  # ValueError naming the lessons
    placed: list[tuple[Found, bytes]] = []
    unplaced: list[Found] = []
    expanded = 0  # bytes read from the export so far
    for name, stamp, size, said, read, refusal in _entries(path, single):
        if _unprintable(name):
            unplaced.append(Found(_escaped(name), reason="its name has control characters: refused"))
            continue
        if refusal:
            unplaced.append(Found(name, reason=refusal))
            continue
        parts = PurePosixPath(name).parts
        if any(part.startswith(".") or part == "__MACOSX" for part in parts):
            unplaced.append(Found(name, reason="hidden or system file"))
            continue
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            unplaced.append(Found(name, reason="an archive inside the export: not expanded (only notebooks are "
                                               "collected; unpack it and collect its notebooks if they are wanted)"))
            continue
        entry = lms.parse(name)
        if single and student is not None:
            entry = replace(entry, lms="file" if entry.lms == "folder" else entry.lms, student=student,
                            lesson=entry.lesson or lms.lesson_in_name(PurePosixPath(name).stem), reason=None)
        elif single and entry.lms == "folder" and entry.reason and entry.reason.startswith("cannot tell"):
            entry = replace(entry, reason="cannot tell whose notebook this is: give --student ID")
        if entry.reason:
            unplaced.append(Found(name, reason=entry.reason, lms=entry.lms, original=entry.original))
            continue
        base = dict(lms=entry.lms, original=entry.original, late=entry.late, attempt=entry.attempt,
                    lms_id=entry.lms_id)
        owner, why = _student(entry, roster)
        if why:
            unplaced.append(Found(name, reason=why, **base))
            continue
        try:
            content, why = _bounded(size, said, read, MAX_EXPORT_BYTES - expanded)
        except Corrupt as exc:
            raise ValueError(f"{path} is a corrupt zip file: {name} fails its checksum ({exc}); nothing was "
                             "collected") from None
        expanded += len(content or b"")
        if why:
            unplaced.append(Found(name, owner, reason=why, **base))
            continue
        nb, problem = notebook_problem(content)
        where, why = lesson or entry.lesson, None
        if where is None:
            where, why = lesson_of_notebook(nb) if nb is not None else (None, f"{problem}, and its name does not "
                                                                                "say the lesson")
        if why:
            unplaced.append(Found(name, owner, reason=why, **base))
            continue
        placed.append((Found(name, owner, where, stamp, problem=problem, **base), content))
    return placed, unplaced


def _bounded(size: int, said: str, read, budget: int) -> tuple[bytes | None, str | None]:
    """The member's content, read within the caps, or why it is refused (and the bytes its read expanded)."""
    cap = f"the cap of {size_text(MAX_NOTEBOOK_BYTES)} a notebook (MAX_NOTEBOOK_BYTES)"
    total = f"the cap of {size_text(MAX_EXPORT_BYTES)} expanded in all (MAX_EXPORT_BYTES)"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"{said} {size_text(size)}, more than {cap}: refused, not read"
    if size > budget:
        return None, (f"{said} {size_text(size)}, which would take the export past {total}: refused, not read "
                      "(collect the rest from a smaller export)")
    limit = min(MAX_NOTEBOOK_BYTES, budget)
    try:
        content = read(limit)
    except OSError as exc:
        return None, f"cannot be read ({exc}): refused"
    if len(content) > limit:
        over = f"expands past {cap}" if limit == MAX_NOTEBOOK_BYTES else f"takes the export past {total}"
        return content, f"{over}, although {said} {size_text(size)}: refused when the cap was hit"
    if content.startswith(ARCHIVE_MAGIC):
        return content, "an archive (by its content), not a notebook: not expanded"
    return content, None


# -- the record ------------------------------------------------------------------------------------

def records(root: Path) -> dict[str, dict]:
    """``collected.json``: ``{"student/lesson": record}`` (see the module's docstring), ``{}`` when absent."""
    path = Path(root) / RECORDS
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not readable ({exc}): fix it or move it away; nothing was collected") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a record of submissions (a JSON object): fix it or move it away")
    return data


def _write_records(root: Path, data: dict[str, dict]) -> None:
    path = Path(root) / RECORDS
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(dict(sorted(data.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _brief(found: Found, content: bytes) -> dict:
    return {"path": found.name, "file": found.original, "attempt": found.attempt, "late": found.late,
            "timestamp": found.timestamp.isoformat(), "sha256": _digest(content)}


def _record(found: Found, content: bytes, export: Path, superseded: list[dict]) -> dict:
    return {"student": found.student, "lesson": found.lesson, "lms": found.lms, "file": found.original,
            "path": found.name, "export": str(export), "late": found.late, "attempt": found.attempt,
            "timestamp": found.timestamp.isoformat(), "lms_id": found.lms_id, "sha256": _digest(content),
            "valid": found.problem is None, "collected": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "superseded": superseded}


# -- the roster ------------------------------------------------------------------------------------

def use_roster(root: Path, roster_file: Path | None = None) -> tuple[Roster | None, list[str], list[str]]:
    """The roster to collect with, ``roster_file`` merged into the stored one and saved; and
    ``(problems, notes)`` to report. A roster that cannot be read is reported, not used, not written."""
    root = Path(root)
    problems, notes = [], []
    stored, stored_ok = None, True
    try:
        stored = roster_module.course_roster(root)
    except ValueError as exc:
        stored_ok = False
        problems.append(f"{exc}; not used, and left as it is")
    if stored is not None and stored.problems:
        stored_ok = False  # rewriting it would drop the rows it could not use
        problems += [f"{roster_module.FILE}, {p}" for p in stored.problems]
    if roster_file is None:
        if stored is not None:
            notes.append(f"students matched with {roster_module.FILE} ({len(stored.students)} students)")
        return stored, problems, notes
    roster_file = Path(roster_file)
    try:
        new = roster_module.read(roster_file)  # FileNotFoundError: a wrong path stops the collect
    except ValueError as exc:
        problems.append(f"{exc}; not merged" + (f", {roster_module.FILE} used as it is" if stored else ""))
        return stored, problems, notes
    problems += [f"{roster_file.name}, {p}" for p in new.problems]
    combined = roster_module.merged(stored, new)
    added = len(combined.students) - (len(stored.students) if stored else 0)
    if stored_ok:
        roster_module.write(root / roster_module.FILE, Roster(combined.students, (), combined.source))
        notes.append(f"roster: {roster_file.name} ({new.source}, {len(new.students)} students) merged into "
                     f"{roster_module.FILE}: {len(combined.students)} students, {added} new")
    else:
        notes.append(f"roster: {roster_file.name} ({new.source}, {len(new.students)} students) used for this "
                     f"collect only, since {roster_module.FILE} cannot be rewritten without losing rows")
    return combined, problems, notes


# -- collecting ------------------------------------------------------------------------------------

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


def _choose(key, items, unplaced):
    """The file of one student and lesson to collect (or None), and the ones it supersedes."""
    student, lesson = key
    valid = [i for i in items if i[0].problem is None]
    for found, _ in (i for i in items if i[0].problem and valid):
        unplaced.append(replace(found, reason=f"{found.problem}; not collected (the export has a valid one)"))
    latest: dict[str, tuple[Found, bytes]] = {}  # by content, in order of time and attempt
    for found, content in sorted(valid or items, key=lambda i: (i[0].timestamp, i[0].attempt)):
        digest = _digest(content)
        same = latest.pop(digest, None)
        if same is not None:  # the same notebook twice: the later one stands for both
            unplaced.append(replace(same[0], reason=f"the same notebook as {found.name}", superseded=True))
        latest[digest] = (found, content)
    pool = list(latest.values())
    top = pool[-1][0]
    tied = [f for f, _ in pool if (f.timestamp, f.attempt) == (top.timestamp, top.attempt)]
    if len(tied) > 1:
        names = ", ".join(f.name for f in tied[:3]) + (f" and {len(tied) - 3:,} more" if len(tied) > 3 else "")
        for found, _ in pool:
            unplaced.append(replace(found, reason=(
                f"{len(tied):,} different files for {student} / {lesson} with the same time and attempt ({names}): "
                "none is collected; remove all but one and collect again")))
        return None, []
    for found, _ in pool[:-1]:
        unplaced.append(replace(found, reason=f"superseded by a newer file (or a later attempt) for {student} / "
                                              f"{lesson} in the same export: {top.name}", superseded=True))
    return pool[-1], [_brief(f, c) for f, c in pool[:-1]]


def _case_clashes(root: Path, known: dict[str, dict], placed, unplaced):
    """``placed`` without the files of students whose ids differ only in case from another's (in the export
    or the course), which a case-insensitive file system would put in one folder: both are refused, or the
    one the course does not have yet, the reason naming the other."""
    folder = root / "submitted"
    course = {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()
    course |= {str(r.get("student")) for r in known.values() if isinstance(r, dict)}
    ids = defaultdict(set)
    for student in course | {found.student for found, _ in placed}:
        ids[student.lower()].add(student)
    files = defaultdict(list)
    for found, _ in placed:
        files[found.student].append(found.name)
    kept = []
    for found, content in placed:
        others = sorted(ids[found.student.lower()] - {found.student})
        if not others or found.student in course:
            kept.append((found, content))
            continue
        said = ", ".join(f"{o!r} (" + (f"already in the course: submitted/{o}" if o in course
                                        else ", ".join(files[o][:3])) + ")" for o in others)
        unplaced.append(replace(found, reason=(
            f"student {found.student!r} differs only in case from {said}: on a case-insensitive file system (macOS, "
            "Windows) they share one folder, so it is not collected; give one of them another id")))
    return kept


def collect(root: Path, path: Path, *, roster_file: Path | None = None, student: str | None = None,
            lesson: str | None = None) -> Report:
    """Copy the submissions found at ``path`` into ``root/submitted/``, record them in
    ``collected.json`` and register the students (see the module's docstring)."""
    root, path = Path(root), Path(path)
    known = records(root)  # an unreadable record stops here, before anything is written
    class_list, roster_problems, notes = use_roster(root, roster_file)
    placed, unplaced = scan(path, class_list, student=student, lesson=lesson)
    groups: dict[tuple[str, str], list[tuple[Found, bytes]]] = defaultdict(list)
    for found, content in _case_clashes(root, known, placed, unplaced):
        groups[(found.student, found.lesson)].append((found, content))
    added, replaced, unchanged, kept, late = [], [], [], [], []
    export = path.resolve()
    for key in sorted(groups):
        chosen, superseded = _choose(key, groups[key], unplaced)
        if chosen is None:
            continue
        found, content = chosen
        student_id, lesson_id = key
        label = f"{student_id}/{lesson_id}"
        folder = root / "submitted" / student_id / lesson_id
        target = folder / f"{lesson_id}.ipynb"
        previous = known.get(label)
        if target.is_file():
            current = target.read_bytes()
            if current == content:
                unchanged.append(label)
                if previous is None:  # collected before collect kept its record
                    known[label] = _record(found, content, export, superseded)
                if found.late:
                    late.append(label)
                continue
            if found.problem:
                unplaced.append(replace(found, reason=f"{found.problem}; the collected {label} is kept"))
                continue
            current_valid = notebook_problem(current)[1] is None
            stamp = read_timestamp(folder)
            attempt = int(previous.get("attempt", 1)) if previous else 1
            if current_valid and stamp is not None and (found.timestamp, found.attempt) <= (stamp, attempt):
                kept.append(label)
                continue
            replaced.append(label)
            old = previous or {"path": target.name, "file": target.name, "attempt": attempt, "late": False,
                               "timestamp": stamp.isoformat() if stamp else "", "sha256": _digest(current)}
            superseded = [*old.get("superseded", []),
                          {k: old.get(k) for k in ("path", "file", "attempt", "late", "timestamp", "sha256")},
                          *superseded]
        else:
            added.append(label)
        if found.problem:
            notes.append(f"{label}: {found.name} is {found.problem}; collected all the same, since there was "
                         "nothing for it yet, so that grading reports it (a valid notebook collected later replaces it)")
        if found.late:
            late.append(label)
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".ipynb.partial")
        partial.write_bytes(content)
        partial.replace(target)  # atomic: a reader never sees half a notebook
        (folder / "timestamp.txt").write_text(found.timestamp.strftime(TIMESTAMP_FORMAT))
        known[label] = _record(found, content, export, superseded)
    if added or replaced or unchanged:
        _write_records(root, known)
    students = sorted({label.split("/")[0] for label in (*added, *replaced, *unchanged, *kept)})
    _register(root, students, class_list)
    return Report(tuple(added), tuple(replaced), tuple(unchanged), tuple(kept), tuple(unplaced), tuple(students),
                  tuple(late), tuple(roster_problems), tuple(notes))


def _register(root: Path, students: list[str], class_list: Roster | None) -> None:
    if not students:
        return
    from .pipeline import gradebook

    with gradebook(root) as gb:
        for student in students:
            known = class_list.get(student) if class_list else None
            details = {}
            if known:
                details = {k: v for k, v in (("first_name", known.first_name), ("last_name", known.last_name),
                                             ("email", known.email), ("lms_user_id", known.canvas_id)) if v}
            gb.update_or_create_student(student, **details)
