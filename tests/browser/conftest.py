"""A real JupyterLab in headless Chromium (Debian's ``chromium``, driven by Playwright for Python).

The tests skip, with the reason, when Chromium is missing, except on CI
(``CI`` set), where a missing browser is a failure: ``make test`` installs it
there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


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


class Lab:
    """A JupyterLab server on a folder of notebooks, on a free local port."""

    def __init__(self, root: Path):
        self.root = root
        self.port = _free_port()
        self.token = "nncourse-test"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
                   JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"))
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        self.log = open(root / "jupyterlab.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}", "--ip=127.0.0.1",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={root}",
             "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True", "--allow-root"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.root / 'jupyterlab.log'}")
            try:
                with urllib.request.urlopen(f"{self.url('api/status')}", timeout=2) as r:
                    json.load(r)
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("JupyterLab did not start within a minute")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()
