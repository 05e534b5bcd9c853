"""Hostile archives given to ``nncourse collect`` (issue 18, item 5): each attack is built here, collected
through the real command, and must leave nothing outside the course, expand nothing past the caps, list
each refused member with its reason and import the good members."""

from __future__ import annotations

import bz2
import io
import json
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from nncourse import cli, collect
from tests.notebooks.conftest import ROOT

pytestmark = pytest.mark.project

L1 = "01-loss-functions"
WHEN = (2026, 3, 9, 8, 30, 0)
GOOD = ("carol", "dave")  # the good members of every attack: imported whatever else the archive holds


def _notebook(mark: str) -> bytes:
    nb = json.loads((ROOT / "release" / L1 / f"{L1}.ipynb").read_text())
    nb["metadata"]["mark"] = mark
    return json.dumps(nb).encode()


def _member(name: str, content: bytes = b"", **fields) -> dict:
    """One member for :func:`_zip`: ``content`` deflated, unless ``data`` (raw deflate), ``size`` and ``crc``
    are given; ``method``, ``flags``, ``mode`` (its Unix mode) and ``date`` as a zip stores them."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    member = dict(name=name, data=compressor.compress(content) + compressor.flush(), size=len(content),
                  crc=zlib.crc32(content), method=zipfile.ZIP_DEFLATED, flags=0x800, mode=0, date=WHEN)
    member.update(fields)
    return member


def _zip(path: Path, members: list[dict], *, good: bool = True) -> Path:
    """A zip written byte by byte (so that a header can say what a test wants), the good members first."""
    if good:
        members = [_member(f"{s}_{L1}.ipynb", _notebook(s)) for s in GOOD] + members
    out, central = bytearray(), bytearray()
    for m in members:
        name, (y, mo, d, h, mi, s) = m["name"].encode(), m["date"]
        time, date = (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d
        fields = (m["flags"], m["method"], time, date, m["crc"], len(m["data"]), m["size"], len(name))
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x031E, 20, *fields, 0, 0, 0, 0,
                               m["mode"] << 16, len(out)) + name
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fields, 0) + name + m["data"]
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _zeros(gib: int) -> dict:
    """Raw deflate data of ``gib`` GiB of zeros (about 1 MB), its size and CRC: 1 MiB blocks, each compressed
    from a reset state (a full flush), are all the same bytes, so one is compressed and repeated."""
    mib = bytes(2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(gib * 1024):
        crc = zlib.crc32(mib, crc)
    return dict(data=block * (gib * 1024) + compressor.flush(), size=gib * 2**30, crc=crc)


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def _collect(course: Path, export: Path, capsys) -> tuple[int, dict[str, str]]:
    """``nncourse collect export``: its exit code and the reason each refused member's line gives."""
    def outside():
        return {f for f in _files(course.parent) if f.split("/")[0] != course.name}

    before = outside()
    code = cli.main(["--course", str(course), "collect", str(export)])
    out = capsys.readouterr().out
    assert outside() == before, f"written outside the course: {sorted(outside() - before)}"
    reasons = {}
    for line in out.splitlines():
        if line.startswith("  - "):
            name, _, reason = line[4:].partition(": ")
            reasons[name] = reason
    return code, reasons


def _submitted(course: Path) -> dict[str, bytes]:
    base = course / "submitted"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.ipynb"))}


def _good_imported(course: Path, *others: str) -> None:
    expected = {f"{s}/{L1}/{L1}.ipynb": _notebook(s) for s in (*GOOD, *others)}
    assert _submitted(course) == expected
    assert set(_files(course)) <= ({"nbgrader_config.py", "gradebook.db", collect.RECORDS, "submitted"}
                                   | {f"submitted/{s}" for s in (*GOOD, *others)}
                                   | {f"submitted/{s}/{L1}{tail}" for s in (*GOOD, *others)
                                      for tail in ("", f"/{L1}.ipynb", "/timestamp.txt")})


def test_paths_outside_the_export_are_refused(tmp_path, course, capsys):
    outside = tmp_path / "outside" / f"bob_{L1}.ipynb"
    archive = _zip(tmp_path / "s.zip", [_member(f"../../evil_{L1}.ipynb", _notebook("evil")),
                                        _member(f"alice/../../erin_{L1}.ipynb", _notebook("erin")),
                                        _member(str(outside), _notebook("abs")),
                                        _member(f"C:\\Users\\frank_{L1}.ipynb", _notebook("win"))])
    code, reasons = _collect(course, archive, capsys)
    assert code == 0
    assert reasons == dict.fromkeys(
        [f"../../evil_{L1}.ipynb", f"alice/../../erin_{L1}.ipynb", str(outside), f"C:\\Users\\frank_{L1}.ipynb"],
        "a path outside the export's folder (absolute, or with '..'): refused")
    assert not outside.exists() and not (tmp_path.parent / f"evil_{L1}.ipynb").exists()
    _good_imported(course)


def test_symbolic_links_and_special_files_stored_in_the_zip_are_refused(tmp_path, course, capsys):
    archive = _zip(tmp_path / "s.zip", [
        _member(f"alice_{L1}.ipynb", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
        _member(f"bob/{L1}/{L1}.ipynb", str(ROOT / "solutions").encode(), mode=stat.S_IFLNK | 0o777),
        _member(f"erin_{L1}.ipynb", b"", mode=stat.S_IFIFO | 0o644),
        _member(f"frank_{L1}.ipynb", _notebook("frank"), mode=stat.S_IFREG | 0o644)])  # a plain file: imported
    code, reasons = _collect(course, archive, capsys)
    link = "a symbolic link stored in the zip: refused (only the export's own files are collected)"
    assert reasons == {f"alice_{L1}.ipynb": link, f"bob/{L1}/{L1}.ipynb": link,
                       f"erin_{L1}.ipynb": "a special file stored in the zip (a device, pipe, socket or folder): "
                                           "refused"}
    _good_imported(course, "frank")


def test_a_zip_bomb_is_refused_by_its_header_or_when_its_bounded_read_hits_the_cap(tmp_path, course, capsys,
                                                                                    monkeypatch):
    """A real zip bomb (1 GiB of zeros in 1 MB) with a true header, and the same data under a header that
    says 1,000 bytes: neither is expanded past the cap of a notebook."""
    bomb = _zeros(1)
    archive = _zip(tmp_path / "bomb.zip", [_member(f"alice_{L1}.ipynb", **bomb),
                                           _member(f"bob_{L1}.ipynb", **{**bomb, "size": 1000}),
                                           _member(f"erin_{L1}.ipynb", _notebook("erin"))])
    assert archive.stat().st_size < 3 * 2**20
    reads = []
    real = collect._read_member
    monkeypatch.setattr(collect, "_read_member", lambda *a: reads.append(len(data := real(*a))) or data)
    code, reasons = _collect(course, archive, capsys)
    assert reasons == {
        f"alice_{L1}.ipynb": "its header says it expands to 1 GiB, more than the cap of 50 MiB a notebook "
                             "(MAX_NOTEBOOK_BYTES): refused, not read",
        f"bob_{L1}.ipynb": "expands past the cap of 50 MiB a notebook (MAX_NOTEBOOK_BYTES), although its header "
                           "says it expands to 1,000 bytes: refused when the cap was hit"}
    assert max(reads) == collect.MAX_NOTEBOOK_BYTES + 1 and len(reads) == 4  # carol, dave, bob (cut), erin
    _good_imported(course, "erin")


def test_the_whole_export_s_expanded_size_is_capped(tmp_path, course, capsys, monkeypatch):
    """Past the cap in all, members are refused unread (an honest header) or when the cap is hit (a lying one)."""
    monkeypatch.setattr(collect, "MAX_EXPORT_BYTES", 2**20)  # 1 MiB, so that the test writes little
    padded = json.loads(_notebook("erin"))
    padded["metadata"]["padding"] = "x" * 2 * 2**20
    archive = _zip(tmp_path / "s.zip", [_member(f"bob_{L1}.ipynb", **{**_zeros(1), "size": 1000}),
                                        _member(f"erin_{L1}.ipynb", json.dumps(padded).encode()),
                                        _member(f"frank_{L1}.ipynb", _notebook("frank"))])
    code, reasons = _collect(course, archive, capsys)
    unread = ("which would take the export past the cap of 1 MiB expanded in all (MAX_EXPORT_BYTES): "
              "refused, not read (collect the rest from a smaller export)")
    frank = collect.size_text(len(_notebook("frank")))
    assert reasons == {
        f"bob_{L1}.ipynb": "takes the export past the cap of 1 MiB expanded in all (MAX_EXPORT_BYTES), although "
                           "its header says it expands to 1,000 bytes: refused when the cap was hit",
        f"erin_{L1}.ipynb": f"its header says it expands to {collect.size_text(len(json.dumps(padded)))}, {unread}",
        f"frank_{L1}.ipynb": f"its header says it expands to {frank}, {unread}"}
    _good_imported(course)


def test_ten_thousand_members_past_the_cap_are_skipped_unread_in_one_line(tmp_path, course, capsys, monkeypatch):
    """10,000 members: the first 5,000 looked at (mallory's copies of one notebook, trudy's different ones of
    the same time, each said in a line of its own), the rest skipped unread, in one line."""
    nb = b'{"cells": [], "metadata": {"mark": "%d"}, "nbformat": 4, "nbformat_minor": 5}'
    many = [_member(f"mallory/{L1}/{n:05d}.ipynb", nb % (n % 4)) if n % 2 else
            _member(f"trudy/{L1}/{n:05d}.ipynb", nb % n) for n in range(10_000 - len(GOOD))]
    archive = _zip(tmp_path / "many.zip", many)
    opened = []
    real = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *a, **k: opened.append(info) or
                        real(self, info, *a, **k))
    code, reasons = _collect(course, archive, capsys)
    first_skipped = f"{collect.MAX_MEMBERS - len(GOOD):05d}.ipynb"
    rest = f"trudy/{L1}/{first_skipped} and the 4,999 members after it"
    assert reasons.pop(rest) == ("5,000 members skipped, unread: the export has 10,000, more than the cap of 5,000 "
                                 "(MAX_MEMBERS); collect the rest from a smaller export")
    assert len(opened) == collect.MAX_MEMBERS  # each member looked at read once, none of the rest
    assert {info.filename for info in opened} == {f"{s}_{L1}.ipynb" for s in GOOD} | {
        m["name"] for m in many[: collect.MAX_MEMBERS - len(GOOD)]}
    assert len(reasons) == collect.MAX_MEMBERS - len(GOOD)
    same = [r for r in reasons.values() if r.startswith("the same notebook as mallory/")]
    tied = [r for r in reasons.values() if " different files for " in r]
    assert len(same) == 2497 and len(tied) == 2 + 2499  # mallory's two notebooks, trudy's 2,499
    assert max(map(len, tied)) < 400
    trudy = ", ".join(f"trudy/{L1}/{n:05d}.ipynb" for n in (0, 2, 4))
    assert tied[-1].startswith(f"2,499 different files for trudy / {L1} with the same time and attempt "
                               f"({trudy} and 2,496 more)")
    _good_imported(course)


def test_names_that_differ_only_in_case_never_share_a_folder(tmp_path, course, capsys):
    first = _zip(tmp_path / "one.zip", [_member(f"Alice_{L1}.ipynb", _notebook("Alice")),
                                        _member(f"alice_{L1}.ipynb", _notebook("alice")),
                                        _member(f"erin/{L1}/{L1}.ipynb", _notebook("erin"))])
    code, reasons = _collect(course, first, capsys)
    shared = ("on a case-insensitive file system (macOS, Windows) they share one folder, so it is not collected; "
              "give one of them another id")
    assert reasons == {
        f"Alice_{L1}.ipynb": f"student 'Alice' differs only in case from 'alice' (alice_{L1}.ipynb): {shared}",
        f"alice_{L1}.ipynb": f"student 'alice' differs only in case from 'Alice' (Alice_{L1}.ipynb): {shared}"}
    _good_imported(course, "erin")
    second = _zip(tmp_path / "two.zip", [_member(f"ERIN_{L1}.ipynb", _notebook("ERIN")),
                                         _member(f"Erin/{L1}/{L1}.ipynb", _notebook("Erin"))], good=False)
    code, reasons = _collect(course, second, capsys)
    assert code == 1 and reasons == {
        f"ERIN_{L1}.ipynb": f"student 'ERIN' differs only in case from 'Erin' ({'Erin/' + L1 + '/' + L1}.ipynb), "
                            f"'erin' (already in the course: submitted/erin): {shared}",
        f"Erin/{L1}/{L1}.ipynb": f"student 'Erin' differs only in case from 'ERIN' (ERIN_{L1}.ipynb), 'erin' "
                                 f"(already in the course: submitted/erin): {shared}"}
    _good_imported(course, "erin")


def test_an_archive_inside_the_archive_is_not_expanded(tmp_path, course, capsys):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr(f"erin_{L1}.ipynb", _notebook("erin"))
    archive = _zip(tmp_path / "s.zip", [_member(f"erin_{L1}.zip", inner.getvalue()),
                                        _member(f"frank_{L1}.ipynb", inner.getvalue()),  # a zip by its content
                                        _member(f"grace/{L1}/work.tar.gz", b"\x1f\x8b\x08\x00")])
    code, reasons = _collect(course, archive, capsys)
    by_name = ("an archive inside the export: not expanded (only notebooks are collected; unpack it and collect "
               "its notebooks if they are wanted)")
    assert reasons == {f"erin_{L1}.zip": by_name, f"grace/{L1}/work.tar.gz": by_name,
                       f"frank_{L1}.ipynb": "an archive (by its content), not a notebook: not expanded"}
    _good_imported(course)


def test_odd_members_are_refused_one_line_each(tmp_path, course, capsys):
    """A name that would forge report lines, an invalid date, an encrypted member, a method zipfile lacks, and
    bzip2, which zipfile expands a block at a time without bound (about 100 bytes are 100 MiB here)."""
    bomb = bz2.BZ2Compressor(9)
    zeros = b"".join(bomb.compress(bytes(2**20)) for _ in range(100)) + bomb.flush()
    archive = _zip(tmp_path / "s.zip", [
        _member(f"alice_{L1}.ipynb\n  - added mallory\x1b[2J", _notebook("alice")),
        _member(f"bob_{L1}.ipynb", _notebook("bob"), date=(2026, 0, 0, 0, 0, 0)),
        _member(f"erin_{L1}.ipynb", _notebook("erin"), flags=0x801),
        _member(f"frank_{L1}.ipynb", _notebook("frank"), method=9),
        _member(f"grace_{L1}.ipynb", data=zeros, size=1000, crc=0, method=zipfile.ZIP_BZIP2)])
    assert len(zeros) < 1000
    code, reasons = _collect(course, archive, capsys)
    unread = "refused (only stored or deflated members are read, which cannot expand past the cap unseen)"
    assert reasons == {
        f"alice_{L1}.ipynb\\n  - added mallory\\x1b[2J": "its name has control characters: refused",
        f"bob_{L1}.ipynb": "its date in the zip ((2026, 0, 0, 0, 0, 0)) is not a date: refused",
        f"erin_{L1}.ipynb": "encrypted: refused (no password is tried)",
        f"frank_{L1}.ipynb": f"compressed with deflate64: {unread}",
        f"grace_{L1}.ipynb": f"compressed with bzip2: {unread}"}
    _good_imported(course)


def test_a_hostile_folder_export(tmp_path, course, capsys):
    """The same held for a folder: a linked folder is not entered, a pipe not opened, a file past the cap not read."""
    export = tmp_path / "export"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / f"{L1}.ipynb").write_bytes(_notebook("elsewhere"))
    for student in GOOD:
        (export / student / L1).mkdir(parents=True)
        (export / student / L1 / f"{L1}.ipynb").write_bytes(_notebook(student))
    (export / "alice").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(export / f"bob_{L1}.ipynb")
    with open(export / f"erin_{L1}.ipynb", "wb") as big:
        big.truncate(collect.MAX_NOTEBOOK_BYTES + 1)  # sparse: no disk used
    code, reasons = _collect(course, export, capsys)
    assert reasons == {
        "alice": "a symbolic link: refused (only the export's own files are collected)",
        f"bob_{L1}.ipynb": "not a regular file (a device, pipe or socket): refused",
        f"erin_{L1}.ipynb": "it is 50.0 MiB (52,428,801 bytes), more than the cap of 50 MiB a notebook "
                            "(MAX_NOTEBOOK_BYTES): refused, not read"}
    _good_imported(course)
