"""``nncourse``: the instructor's command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import pipeline
from .course import LESSON_IDS, lesson

ROOT = Path(__file__).resolve().parents[1]


def _lessons(ids: list[str], root: Path) -> list[str]:
    for lesson_id in ids:
        lesson(lesson_id)  # ValueError naming the known lessons
    chosen = ids or [i for i in LESSON_IDS if pipeline.notebook_path(root, "source", i).is_file()]
    missing = [i for i in chosen if not pipeline.notebook_path(root, "source", i).is_file()]
    if missing:
        raise ValueError(f"no source notebook for {', '.join(missing)} under {root / 'source'}")
    return chosen


def cmd_release(args) -> int:
    root = Path(args.course).resolve()
    for lesson_id in _lessons(args.lessons, root):
        pipeline.generate(root, lesson_id, db=False)
        print(f"released {lesson_id} -> release/{lesson_id}/{lesson_id}.ipynb")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nncourse", description="Run the course: release, grade, check.")
    parser.add_argument("--course", default=str(ROOT), help="the course directory (default: this repository)")
    sub = parser.add_subparsers(dest="command", required=True)
    release = sub.add_parser("release", help="generate the student notebooks in release/ from source/")
    release.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: all)")
    release.set_defaults(func=cmd_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, pipeline.PipelineError) as exc:
        print(f"nncourse {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
