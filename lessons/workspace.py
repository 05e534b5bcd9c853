"""The student's working copy of the course: ``python -m lessons.workspace RELEASE WORK``.

Copies every released lesson folder into the working folder the first time,
and afterwards only what is new.  An existing file is never overwritten: a
student's work is never lost to an update.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def sync(release: Path, work: Path) -> list[Path]:
    """Copy files from ``release`` into ``work`` that are not there yet.

    Returns the files copied.  Files already in ``work`` are left untouched,
    whatever their content.
    """
    release = Path(release)
    work = Path(work)
    if not release.is_dir():
        raise FileNotFoundError(f"release folder {release} does not exist; run `make release` first")
    copied = []
    for src in sorted(release.rglob("*")):
        if src.is_dir() or ".ipynb_checkpoints" in src.parts:
            continue
        dest = work / src.relative_to(release)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        copied.append(dest)
    work.mkdir(parents=True, exist_ok=True)
    return copied


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m lessons.workspace RELEASE_DIR WORK_DIR", file=sys.stderr)
        return 2
    try:
        copied = sync(Path(args[0]), Path(args[1]))
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    kept = "your existing notebooks were left as they are"
    print(f"{len(copied)} new file(s) copied into {args[1]}/; {kept}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
