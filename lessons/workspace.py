"""The student's working copy of the course: ``python -m lessons.workspace RELEASE WORK``.

Copies every released lesson folder into the working folder the first time,
and afterwards only what is new.  An existing file is never overwritten: a
student's work is never lost to an update.

Each copied notebook records the language of this machine's kernel (its
``language_info``: the Python version, the lexer, ...).  JupyterLab writes that
record into a notebook as soon as its kernel starts; a notebook that already
holds it stays unmodified when it is only opened and closed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def kernel_language_info() -> dict:
    """What this Python's IPython kernel reports as its language (JupyterLab stores it in the notebook)."""
    from ipykernel.ipkernel import IPythonKernel

    return json.loads(json.dumps(IPythonKernel.language_info))


def _copy_notebook(src: Path, dest: Path, language_info: dict) -> None:
    """Copy ``src`` to ``dest`` with this kernel's ``language_info``; a file that is not a notebook's JSON
    is copied as it is."""
    try:
        notebook = json.loads(src.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        notebook = None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("metadata"), dict):
        shutil.copy2(src, dest)
        return
    notebook["metadata"]["language_info"] = language_info
    dest.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


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
    language_info = None
    for src in sorted(release.rglob("*")):
        if src.is_dir() or ".ipynb_checkpoints" in src.parts:
            continue
        dest = work / src.relative_to(release)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".ipynb":
            language_info = language_info or kernel_language_info()
            _copy_notebook(src, dest, language_info)
        else:
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
