"""The student's JupyterLab launcher (``python -m lessons.lab``): the course's settings, and root."""

from __future__ import annotations

import json
import os

import pytest

from lessons import lab

pytestmark = pytest.mark.project


def test_the_course_settings_come_first_on_the_config_path_and_keep_the_others():
    env = lab.environment({"JUPYTER_CONFIG_PATH": f"/a{os.pathsep}/b", "HOME": "/h"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(lab.CONFIG), "/a", "/b"]
    assert env["HOME"] == "/h"
    assert lab.environment(env)["JUPYTER_CONFIG_PATH"] == env["JUPYTER_CONFIG_PATH"]


def test_the_settings_hide_the_instructor_menus_and_the_news_but_keep_validate():
    page = json.loads((lab.CONFIG / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:menu", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"} <= set(page)
    assert "@jupyter/nbgrader:validate-assignment" not in page
    server = json.loads((lab.CONFIG / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False
    assert "nbgrader.server_extensions.validate_assignment" not in server
    overrides = json.loads((lab.CONFIG / "labconfig" / "default_setting_overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_root_gets_allow_root_and_others_do_not(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lab.command("work")[-1] == "--allow-root"
    assert lab.command("work", "--allow-root").count("--allow-root") == 1
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.command("work")
    assert lab.command("work")[1:4] == ["-m", "jupyter", "lab"] and "--notebook-dir=work" in lab.command("work")


def test_a_missing_folder_is_named(tmp_path, capsys):
    assert lab.main([str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err
