"""The class list: who the course's students are, and who they are in the LMS.

A roster is read from what an LMS exports anyway (its gradebook as CSV), or from a plain list:

* **Canvas** gradebook export: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignments>...``,
  with a "Points Possible" row under the header and Canvas's "Student, Test" account, both skipped;
* **Moodle** gradebook export (or its participants list): ``First name, Last name, ID number,
  Email address, ...``;
* a **course roster**: a ``student`` column (the course's own ids) and any of :data:`FIELDS`.

Each student gets a course id, the name of their folder under ``submitted/`` and ``feedback/``
(letters, digits, ``.``, ``_`` and ``-``): the SIS login or user id in Canvas, the ID number or the
e-mail's local part in Moodle, so that the same person keeps the same id from one export to the next.
Names keep their spaces and accents; matching a name from a submission's file name ignores case,
accents' composition and punctuation. A row that cannot be used (no usable id, an id or LMS id seen
twice) is reported with its line number and skipped; the others are kept.

The course keeps its roster as ``roster.csv`` (the course-roster format, :func:`write`), so that
``collect`` and ``export`` read the same list.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Where the course keeps its roster.
FILE = "roster.csv"


@dataclass(frozen=True)
class Student:
    """One student: the course's id, the name to show, and the LMS's keys (empty when unknown)."""

    student: str
    name: str = ""
    sortable_name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    first_name: str = ""
    last_name: str = ""
    id_number: str = ""
    email: str = ""


FIELDS = tuple(f.name for f in fields(Student))


def normal_name(name: str) -> str:
    """A name reduced for matching: composed Unicode, case-folded, letters and digits only.

    ``"Doe, Jane"``, ``"jane doe"`` and Canvas's ``"doejane"`` differ in order, which a caller
    handles; ``"José Núñez"`` typed with combining accents matches the precomposed one.
    """
    text = unicodedata.normalize("NFC", name).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]
    problems: tuple[str, ...] = ()
    source: str = "course"

    def ids(self) -> list[str]:
        return [s.student for s in self.students]

    def get(self, student: str) -> Student | None:
        return next((s for s in self.students if s.student == student), None)

    def by_canvas_id(self, canvas_id: str) -> Student | None:
        return next((s for s in self.students if canvas_id and s.canvas_id == canvas_id), None)

    def by_name(self, name: str) -> list[Student]:
        """Every student whose name (either order, or Canvas's sortable name) matches ``name``."""
        key = normal_name(name)
        if not key:
            return []
        found = []
        for s in self.students:
            names = {s.name, s.sortable_name, f"{s.first_name} {s.last_name}", f"{s.last_name} {s.first_name}"}
            if s.sortable_name and "," in s.sortable_name:
                last, first = (part.strip() for part in s.sortable_name.split(",", 1))
                names |= {f"{first} {last}", f"{last}{first}"}
            if key in {normal_name(n) for n in names if n.strip()}:
                found.append(s)
        return found


def _course_id(*candidates: str) -> str | None:
    return next((c for c in (c.strip() for c in candidates) if c and STUDENT_ID.match(c)), None)


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = text.lstrip("\ufeff")  # Excel and Moodle write a byte-order mark
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValueError("the roster is empty") from None
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}))
    return header, rows


def _canvas(rows) -> tuple[list[tuple[int, Student]], list[str]]:
    out, problems = [], []
    for line, row in rows:
        name = row.get("Student", "")
        if name.strip().lower() == "points possible" or not row.get("ID"):
            continue  # Canvas's second header row ("    Points Possible") and muted/empty rows
        if name.strip() == "Student, Test":
            continue  # Canvas's test student ("Student View"), in every course
        course_id = _course_id(row.get("SIS Login ID", ""), row.get("SIS User ID", "")) or _course_id(f"canvas-{row['ID']}")
        if course_id is None:
            problems.append(f"line {line}: no usable id for {name!r} (Canvas ID {row['ID']!r})")
            continue
        last, _, first = name.partition(",")
        display = f"{first.strip()} {last.strip()}".strip() if first else name
        out.append((line, Student(course_id, display, name, row["ID"], row.get("SIS User ID", ""),
                                  row.get("SIS Login ID", ""), row.get("Section", ""),
                                  first.strip(), last.strip())))
    return out, problems


def _moodle(rows) -> tuple[list[tuple[int, Student]], list[str]]:
    out, problems = [], []
    for line, row in rows:
        first, last = row.get("First name", ""), row.get("Last name", "") or row.get("Surname", "")
        email, id_number = row.get("Email address", ""), row.get("ID number", "")
        course_id = _course_id(id_number, email.split("@", 1)[0] if "@" in email else "")
        if course_id is None:
            problems.append(f"line {line}: no usable id for {first} {last} (an ID number, or an e-mail address "
                            "whose part before @ is letters, digits, '.', '_' or '-')")
            continue
        out.append((line, Student(course_id, f"{first} {last}".strip(), first_name=first, last_name=last,
                                  id_number=id_number, email=email)))
    return out, problems


def _plain(rows) -> tuple[list[tuple[int, Student]], list[str]]:
    out, problems = [], []
    for line, row in rows:
        sid = row.get("student", "")
        if not STUDENT_ID.match(sid):
            problems.append(f"line {line}: student id {sid!r} is not usable: letters, digits, '.', '_' and '-' "
                            "only, starting with a letter or digit")
            continue
        out.append((line, Student(**{k: row.get(k, "") for k in FIELDS})))
    return out, problems


def parse(text: str) -> Roster:
    """A roster from the text of a CSV file in any of the three formats (see the module's docstring)."""
    header, rows = _rows(text)
    if {"Student", "ID"} <= set(header):  # the SIS columns are missing for a teacher who may not see them
        source, (students, problems) = "canvas", _canvas(rows)
    elif "First name" in header and ("Last name" in header or "Surname" in header):
        if "Email address" not in header and "ID number" not in header:
            raise ValueError("this Moodle roster has neither an 'ID number' nor an 'Email address' column, "
                             "so its students cannot be told apart: export it with one of them")
        source, (students, problems) = "moodle", _moodle(rows)
    elif "student" in header:
        source, (students, problems) = "course", _plain(rows)
    else:
        raise ValueError("not a roster this course can read: expected a Canvas gradebook export (Student, ID, "
                         "SIS User ID, SIS Login ID, ...), a Moodle export (First name, Last name, ID number, "
                         f"Email address, ...) or a 'student' column; the header is: {', '.join(header)}")
    kept: list[Student] = []
    problems = list(problems)
    for line, s in students:
        clash = next((k for k in kept if k.student == s.student), None)
        if clash is None and s.canvas_id:
            clash = next((k for k in kept if k.canvas_id == s.canvas_id), None)
        if clash is None and s.email:
            clash = next((k for k in kept if k.email.casefold() == s.email.casefold()), None)
        if clash is not None:
            problems.append(f"line {line}: {s.name or s.student!r} has the same id as {clash.name or clash.student!r} "
                            f"({clash.student}); kept the first")
            continue
        kept.append(s)
    return Roster(tuple(kept), tuple(problems), source)


def read(path: Path) -> Roster:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no roster at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")  # an export saved by Excel on Windows
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def write(path: Path, roster: Roster) -> Path:
    """``roster`` as a course roster (all of :data:`FIELDS`), written atomically."""
    path = Path(path)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for s in roster.students:
        writer.writerow(asdict(s))
    partial = path.with_name(path.name + ".partial")
    partial.write_text(out.getvalue(), encoding="utf-8")
    partial.replace(path)
    return path


def course_roster(root: Path) -> Roster | None:
    """The course's roster (``roster.csv``), or None when it has none."""
    path = Path(root) / FILE
    return read(path) if path.is_file() else None


def merged(old: Roster | None, new: Roster) -> Roster:
    """``new`` added to ``old``: a student already known keeps their course id and gains the new LMS keys.

    A student is the same when a Canvas id, an e-mail address or the course id matches. Nobody is
    dropped: a student missing from the new export stays (they may have left the LMS, not the grades).
    """
    if old is None:
        return new
    students = list(old.students)
    for s in new.students:
        same = next((i for i, k in enumerate(students) if (s.canvas_id and k.canvas_id == s.canvas_id)
                     or (s.email and k.email.casefold() == s.email.casefold()) or k.student == s.student), None)
        if same is None:
            students.append(s)
            continue
        known = students[same]
        update = {f: getattr(s, f) for f in FIELDS if f != "student" and getattr(s, f) and not getattr(known, f)}
        if update:
            students[same] = replace(known, **update)
    return Roster(tuple(students), new.problems, old.source)
