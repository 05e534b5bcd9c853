"""nbgrader's Execute step, hardened for what students submit.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` in autograding
(``nbgrader_config.py``).  It

* runs the kernel in the sandbox of :mod:`nncourse.sandbox`;
* keeps going when the kernel dies (``os._exit``, a crash, the memory or CPU
  limit), asks to exit (``exit()``) or ignores the interrupt after a cell
  timeout: the cell gets an error output (so nbgrader scores it zero and the
  report names the reason), the kernel is restarted, the cells that had run
  cleanly before (except test cells) are replayed silently, and grading
  carries on with the next cell.  After :attr:`max_restarts` restarts the
  remaining cells are marked not run (an error each: never free marks);
* leaves the widget and demo cells unrun (:func:`is_display_cell`): they
  grade nothing and take most of a lesson's run time;
* caps each cell's stored output at :attr:`max_output_bytes` while it
  arrives, with a note saying it was cut.  Error outputs and execute results
  are shortened, never dropped (nbgrader scores from them), and outputs
  carrying :data:`PROBE_MIME` (the hidden tests' payload) are left alone in
  test cells (anywhere else they are cut like any other output).

A timed-out cell that could be interrupted is nbgrader's own business: the
kernel is interrupted, the cell gets a ``CellTimeoutError`` and grading goes on.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

from jupyter_client.utils import ensure_async
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from .sandbox import SandboxedKernelManager

#: MIME type of the hidden tests' machine-readable payload: never cut.
PROBE_MIME = "application/vnd.nncourse.probe+json"
#: ``ename`` of the error outputs this step writes; :func:`nncourse.grading.problems` reports them.
KERNEL_DIED = "KernelDied"
KERNEL_EXITED = "KernelExited"
NOT_RUN = "NotRun"
OUTPUT_CUT = "[nncourse: output cut"

#: Errors worth a line in the instructor's report (the cell scores zero for a reason outside the code's logic).
REPORTED = ("CellTimeoutError", KERNEL_DIED, KERNEL_EXITED, NOT_RUN, "MemoryError", "SystemExit")

_SIGNALS = {6: "aborted (SIGABRT)", 9: "killed (SIGKILL; the memory limit or the machine's OOM killer)",
            11: "crashed (segmentation fault)", 24: "stopped by the CPU-time limit (SIGXCPU)",
            25: "stopped by the file-size limit (SIGXFSZ)", 15: "terminated (SIGTERM)"}


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def _size(out: NotebookNode) -> int:
    kind = out.get("output_type")
    if kind == "stream":
        return len(out.get("text", ""))
    if kind == "error":
        return len(str(out.get("evalue", ""))) + sum(len(line) for line in out.get("traceback", []))
    return sum(len(str(value)) for value in out.get("data", {}).values())


def report_path(notebook_dir: Path) -> Path:
    """Where the problems of ``autograded/<student>/<lesson>/`` are written: beside that folder, out of the
    sandbox's reach (``autograded/<student>/.nncourse-problems-<lesson>.json``)."""
    notebook_dir = Path(notebook_dir)
    return notebook_dir.parent / f".nncourse-problems-{notebook_dir.name}.json"


def problems_of(nb: NotebookNode) -> list[str]:
    """One line per timeout, dead kernel, exit, cell not run, memory error or cut output in an executed notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") in REPORTED:
                evalue = str(out.get("evalue") or "no reply from the kernel before the cell's time limit")
                found.append(f"{name}: {out['ename']}: {evalue}"[:300])
            elif out.get("output_type") == "stream" and OUTPUT_CUT in str(out.get("text", "")):
                found.append(f"{name}: output cut (longer than the cap)")
    return found


def _is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


#: What a skipped widget or demo cell shows in the graded notebook and the feedback.
SKIPPED = "[nncourse: widgets and demos are not graded, so this cell was not run while grading]\n"


def is_display_cell(cell: NotebookNode) -> bool:
    """Whether ``cell`` is one of the lesson's widget or demo cells, which nothing graded depends on.

    Such a cell is locked (nbgrader restores its source from the gradebook
    before grading), neither graded nor a solution, its ``grade_id`` names a
    widget or a demo, and its whole source is one call whose result is not
    kept (``demo(mse, mse_grad)``), so no later cell can need anything it made.
    """
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code" or not meta.get("locked") or meta.get("grade") or meta.get("solution"):
        return False
    if not any(word in str(meta.get("grade_id", "")).split("_") for word in ("widget", "demo")):
        return False
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return False
    return len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call)


class SandboxedExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel, recovery from dead kernels and an output cap."""

    max_output_bytes = Integer(100_000, help="largest output stored per cell (characters)").tag(config=True)
    max_restarts = Integer(3, help="kernel restarts per notebook before the rest is marked not run").tag(config=True)
    skip_displays = Bool(True, help="leave the widget and demo cells unrun (see is_display_cell): "
                                    "nothing graded depends on them and they are most of a lesson's "
                                    "run time").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    # -- one notebook -----------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        self._replay: list[int] = []  # cells to run again after a restart
        self._restarts = 0
        self._given_up = ""  # why the remaining cells are not run
        self._exit_asked = False
        self._last_index: int | None = None
        self._out_bytes: dict[int, int] = {}
        folder = (resources or {}).get("metadata", {}).get("path")
        report = report_path(Path(folder)) if folder else None
        if report is not None:
            report.unlink(missing_ok=True)
        nb, resources = super().preprocess(nb, resources, km)
        if report is not None:  # written once the kernel is gone, outside its folder: it cannot forge this
            report.write_text(json.dumps(problems_of(nb), indent=1))
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if self.skip_displays and is_display_cell(cell):
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=SKIPPED)]
            cell.execution_count = None
            return cell, resources
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if self._given_up:
            cell.outputs = [_error(NOT_RUN, f"not run: {self._given_up}")]
            return cell, resources
        if self._exit_asked or not run_sync(self._alive)():
            if not self._exit_asked and self._last_index is not None:  # it died after the previous cell
                self.nb.cells[self._last_index].outputs.append(
                    _error(KERNEL_DIED, f"the kernel stopped after this cell ({self._death()})"))
                if self._last_index in self._replay:
                    self._replay.remove(self._last_index)
            self._exit_asked = False
            if not self._recover(cell):
                cell.outputs = [_error(NOT_RUN, f"not run: {self._given_up}")]
                return cell, resources
        self._last_index = index
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error(KERNEL_DIED, f"the kernel stopped while running this cell "
                                                    f"({self._death()}); this cell scores zero"))
            self._recover(cell)
            return cell, self.resources
        except CellTimeoutError:
            cell.outputs.append(_error(
                "CellTimeoutError", f"this cell ran past the {self.timeout} s limit and did not stop when "
                "interrupted; the kernel was restarted and this cell scores zero"))
            self._recover(cell)
            return cell, self.resources
        if self._exit_asked:
            cell.outputs.append(_error(KERNEL_EXITED, "this cell asked the kernel to exit (exit() or quit()); "
                                                      "the kernel was restarted"))
        elif not _is_test_cell(cell) and not any(o.output_type == "error" for o in cell.outputs):
            self._replay.append(index)
        return cell, resources

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        payload = kwargs["execute_reply"].get("content", {}).get("payload") or []
        if any(p.get("source") == "ask_exit" and not p.get("keepkernel") for p in payload):
            self._exit_asked = True

    # -- kernel death -----------------------------------------------------------------
    async def _alive(self) -> bool:
        return bool(self.km is not None and await ensure_async(self.km.is_alive()))

    def _death(self) -> str:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return "no exit status"
        if code < 0 or code > 128:  # by a signal (bwrap reports 128 + signal)
            signal = -code if code < 0 else code - 128
            return _SIGNALS.get(signal, f"signal {signal}")
        return f"exit status {code}: os._exit(), a crash or sys.exit() from a thread"

    def _recover(self, cell) -> bool:
        """Restart the kernel and replay the cells that ran cleanly; False (and give up) when that fails."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._given_up = f"the kernel stopped {self._restarts} times"
            return False
        try:
            run_sync(self._async_recover)(cell)
        except (DeadKernelError, RuntimeError, TimeoutError, asyncio.TimeoutError) as exc:
            self._given_up = f"the kernel could not be restarted ({type(exc).__name__}: {exc})"
            return False
        return True

    async def _async_recover(self, cell) -> None:
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for index in list(self._replay):
            source = self.nb.cells[index].source
            reply = await ensure_async(self.kc.execute_interactive(
                source, silent=True, store_history=False, allow_stdin=False, timeout=self._get_timeout(cell),
                output_hook=lambda msg: None))
            if not await self._alive():
                raise DeadKernelError(f"the kernel stopped again while replaying cell {index}")
            if reply["content"].get("status") != "ok":
                self._replay.remove(index)

    # -- output cap -------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):
        before = len(outs)
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out:
            return out
        if len(outs) == 1 and before:  # a deferred clear_output emptied the cell first
            self._out_bytes[cell_index] = 0
        if PROBE_MIME in out.get("data", {}) and _is_test_cell(self.nb.cells[cell_index]):
            return out  # the judge reads it whole (and refuses one above the codec's own size limit)
        if display_id:  # updated in place by later messages: cap each one on its own, keep its place
            self._cap_display(out)
            return out
        used = self._out_bytes.get(cell_index, 0)
        size = _size(out)
        self._out_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return out
        room = max(0, self.max_output_bytes - used)
        note = f"{OUTPUT_CUT}: this cell's output passed {self.max_output_bytes:,} characters]"
        kind = out.output_type
        if kind == "error":  # kept (it scores the cell zero), shortened
            out.evalue = str(out.evalue)[:2000]
            out.traceback = [line[:2000] for line in out.traceback[:20]] + [note]
            return out
        if kind == "execute_result":  # kept (a test cell's score), shortened
            text = str(out.data.get("text/plain", ""))
            out.data = {"text/plain": text[:1000]}
            return out
        outs.pop()
        if used <= self.max_output_bytes:  # the first output over the cap: keep what fits, then the note
            if kind == "stream" and room:
                outs.append(NotebookNode(output_type="stream", name=out.name, text=out.text[:room]))
            outs.append(NotebookNode(output_type="stream", name="stdout", text=f"\n{note}\n"))
        return None

    def _update_display_id(self, display_id, msg):
        super()._update_display_id(display_id, msg)
        for cell_idx, output_indices in self._display_id_map.get(display_id, {}).items():
            outputs = self.nb.cells[cell_idx].outputs
            for output_idx in output_indices:
                self._cap_display(outputs[output_idx])

    def _cap_display(self, out) -> None:
        """Replace a display's data by a note when it is over the cap on its own (it keeps its place)."""
        if _size(out) > self.max_output_bytes:
            out["data"] = {"text/plain": f"{OUTPUT_CUT}: this display passed {self.max_output_bytes:,} characters]"}

    def clear_output(self, outs, msg, cell_index):
        super().clear_output(outs, msg, cell_index)
        if not outs:
            self._out_bytes[cell_index] = 0
