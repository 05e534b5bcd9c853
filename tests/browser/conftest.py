"""A real JupyterLab in headless Chromium (Debian's ``chromium``, driven by Playwright for Python).

One JupyterLab server per test session (per xdist worker) serves a copy of
the course: ``source/`` and ``release/`` of every released lesson, the
course's ``nbgrader_config.py``, and ``work/<id>/<id>.ipynb``, the student's
notebook with the reference answers filled in.  The ``lab`` fixture is the
student's lab, set up as ``make lab`` sets it up (``lessons.lab``: the course's
settings on the config path, so no news pop-up and no instructor menus); the
``instructor_lab`` fixture has nbgrader's server extensions enabled
explicitly, as an instructor's has.  Each server's configuration lives in its
own ``JUPYTER_CONFIG_DIR`` (never the user's home), with an nbgrader exchange
in the temporary folder.

The tests skip, with the reason, when Chromium is missing, except on CI
(``CI`` set), where a missing browser is a failure: ``make test`` installs it
there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .student import ROOT, released_lessons, write_with_answers

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
#: The browser window: a common laptop width; JupyterLab opens with its file browser, as a student sees it.
VIEWPORT = {"width": 1400, "height": 1000}
#: nbgrader 0.9.6's server extensions: the Validate button's endpoint and the formgrader pages.
NBGRADER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                              "nbgrader.server_extensions.validate_assignment",
                              "nbgrader.server_extensions.assignment_list",
                              "nbgrader.server_extensions.course_list")
#: JupyterLab plugins switched off for the tests: the news check would ask for the network.
DISABLED_LAB_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM_PATH") or next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    return found or shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (Debian package `chromium`; `make test` installs it on CI)"
        if os.environ.get("CI"):
            pytest.fail(reason + ": CI must run the browser tests")
        pytest.skip(reason)
    return path


def write_config(config_dir: Path, exchange: Path, *, instructor: bool) -> None:
    """The test server's own Jupyter configuration (``JUPYTER_CONFIG_DIR``): an instructor's enables
    nbgrader's server extensions and turns the news check off itself; a student's leaves both to the
    course's settings (``lessons/lab_config``), which are what the tests of the student's lab check."""
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    if instructor:
        server = {"ServerApp": {"jpserver_extensions": {name: True for name in NBGRADER_SERVER_EXTENSIONS}}}
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(server, indent=1))
        page = {"disabledExtensions": {name: True for name in DISABLED_LAB_PLUGINS}}
        (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1))
    exchange.mkdir(parents=True, exist_ok=True)
    (config_dir / "nbgrader_config.json").write_text(json.dumps({"Exchange": {"root": str(exchange)}}, indent=1))


def make_course(dest: Path, lessons: list[str]) -> Path:
    """A copy of the course in ``dest``: config, source and release of ``lessons``, filled notebooks in work/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for lesson_id in lessons:
        for kind in ("source", "release"):
            shutil.copytree(ROOT / kind / lesson_id, dest / kind / lesson_id,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        write_with_answers(ROOT, lesson_id, dest / "work" / lesson_id / f"{lesson_id}.ipynb")
    return dest


class Lab:
    """A JupyterLab server on the folder ``root``, on a free local port, configured from ``config_dir``;
    a student's (``student=True``) also reads the course's settings, as ``make lab`` does."""

    def __init__(self, root: Path, config_dir: Path, runtime_dir: Path, *, student: bool):
        from lessons import lab as student_lab

        self.root = root
        self.port = _free_port()
        self.token = "nncourse-test"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_RUNTIME_DIR=str(runtime_dir))
        if student:
            env = student_lab.environment(env)
        env.pop("JUPYTER_PLATFORM_DIRS", None)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        self.log_path = config_dir.parent / "jupyterlab.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}", "--ip=127.0.0.1",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={root}",
             "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True", "--allow-root"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.log_path}")
            try:
                self.api("GET", "api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not start within {timeout:.0f} s: see {self.log_path}")

    def url(self, path: str, query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}?{query + '&' if query else ''}token={self.token}"

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every kernel session, so a finished lesson's kernel uses no CPU or memory."""
        for session in self.api("GET", "api/sessions"):
            self.api("DELETE", f"api/sessions/{session['id']}")

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _serve(tmp_path_factory, *, student: bool):
    base = tmp_path_factory.mktemp("lab" if student else "instructor-lab")
    write_config(base / "config", base / "exchange", instructor=not student)
    course = make_course(base / "course", released_lessons())
    return Lab(course, base / "config", base / "runtime", student=student)


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory):
    """The student's JupyterLab for the session (per xdist worker) on a fresh copy of the course."""
    server = _serve(tmp_path_factory, student=True)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def instructor_lab(chromium, tmp_path_factory):
    """An instructor's JupyterLab (nbgrader's menus and formgrader) on another fresh copy of the course."""
    server = _serve(tmp_path_factory, student=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


#: Browser console errors that are not errors of the course or of its set-up, as (pattern, why it is harmless).
#: None so far: JupyterLab 4.6, ipywidgets 8, ipympl 0.12 and nbgrader 0.9.6 log no error on these pages.
#: Add an entry only with the reason; every other console error or uncaught exception fails the test.
HARMLESS_JS: list[tuple[str, str]] = []


def js_errors(page) -> list[str]:
    """The page's uncaught exceptions and console errors, less the known-harmless ones."""
    return [e for e in page.js_errors if not any(re.search(pattern, e) for pattern, _why in HARMLESS_JS)]


@pytest.fixture(scope="session")
def browser_context(browser):
    """One browser context for the session: JupyterLab's scripts are fetched once, then cached."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, lab):
    """A new browser page (tests open notebooks in their own JupyterLab workspace, so no state is shared);
    its JavaScript errors are collected in ``page.js_errors``."""
    p = browser_context.new_page()
    p.js_errors = []
    p.on("pageerror", lambda exc: p.js_errors.append(f"uncaught: {exc}"))
    p.on("console", lambda msg: p.js_errors.append(f"console.error: {msg.text} ({msg.location.get('url', '')})")
         if msg.type == "error" else None)
    yield p
    p.close()
    lab.shutdown_kernels()
