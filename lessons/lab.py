"""Open the course in JupyterLab, set up for a student: ``python -m lessons.lab [FOLDER]``.

``make lab`` and the student bundle's README both start JupyterLab through this module, so that
every student's lab is the same:

* the course's settings (``lab_config/``, added to ``JUPYTER_CONFIG_PATH``, so the student's own
  settings still win) turn off JupyterLab's news pop-up, which would cover the widgets on first
  open, and hide nbgrader's instructor menus (the Nbgrader menu, the "Create Assignment" panel, the
  formgrader) where nbgrader is installed; the Validate button stays;
* as root (in many containers) it passes ``--allow-root``, without which JupyterLab refuses to start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG = Path(__file__).with_name("lab_config")


def command(folder: str | os.PathLike, *extra: str) -> list[str]:
    """The command line that starts JupyterLab on ``folder`` with this Python's Jupyter."""
    args = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        args.append("--allow-root")
    return args


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (the process's environment by default) with the course's settings on the config path."""
    env = dict(os.environ if base is None else base)
    paths = [str(CONFIG)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder, extra = (args[0], args[1:]) if args and not args[0].startswith("-") else (".", args)
    if not Path(folder).is_dir():
        print(f"{folder} is not a folder: give the folder that holds the lessons' notebooks", file=sys.stderr)
        return 2
    cmd = command(folder, *extra)
    os.execve(cmd[0], cmd, environment())
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    raise SystemExit(main())
