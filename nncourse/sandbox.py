"""The grading kernel's sandbox: bubblewrap, resource limits, and what the kernel may see.

Student code runs while ``nncourse grade`` autogrades it.  Each grading kernel
is started inside Debian's ``bwrap`` (bubblewrap):

* no network (``--unshare-net``), its own process, IPC and host-name
  namespaces, killed with the grading process (``--die-with-parent``), no
  capabilities, a cleared environment;
* read-only: the system (``/usr`` and what a kernel needs of ``/etc``), the Python installation
  and the virtual environment, and the course packages the notebooks import
  (:func:`readable_packages`), each at its own path;
* writable: the submission's own ``autograded/<student>/<lesson>/`` folder
  (the kernel's working directory), the folder of the kernel's connection
  sockets, and a private, size-capped ``/tmp`` (also ``HOME``);
* not there at all: everything else, so the gradebook, ``submitted/``, other
  students' folders, ``feedback/``, ``source/``, ``.git/`` and (once
  :data:`HIDE_SOLUTIONS` is on) ``solutions/``;
* limits (``prlimit``): address space (:data:`MEMORY_BYTES`), CPU time
  (:data:`CPU_SECONDS`), file size, no core dumps, and processes (:data:`MAX_PROCESSES`, threads
  included). ``RLIMIT_NPROC`` does not bind a grader that runs as root, so the kernel also goes into a
  ``pids`` cgroup of its own (:class:`ProcessLimit`) wherever one can be made, and that cgroup's
  processes are killed when the kernel is cleaned up; as root with no such cgroup, grading refuses
  to start (:func:`unavailable`).

The kernel talks to the grader over ZeroMQ ``ipc`` sockets (files in a
private folder bound into the sandbox) since TCP cannot cross the unshared
network.  :class:`SandboxedKernelManager` is the ``jupyter_client`` kernel
manager that does all this; :mod:`nncourse.execute` plugs it into nbgrader.

A machine without ``bwrap`` cannot grade unless sandboxing is switched off
explicitly (``nncourse grade --no-sandbox`` or ``NNCOURSE_NO_SANDBOX=1``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, default

#: The environment variable that switches the sandbox off (``1``), for machines that cannot run bwrap.
NO_SANDBOX_ENV = "NNCOURSE_NO_SANDBOX"

#: Address-space cap of a grading kernel (bytes): a memory bomb gets a MemoryError, the machine keeps working.
MEMORY_BYTES = 2 * 1024**3
#: CPU seconds a grading kernel may use in all (SIGXCPU kills it past that).
CPU_SECONDS = 900
#: Processes (and threads) one grading kernel may hold at once: the kernel and its threads need about 20.
MAX_PROCESSES = 64
#: Where a kernel's pids cgroup is made: cgroup v1's pids hierarchy, or the unified (v2) one.
CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
#: Largest file the kernel may write (bytes), and the size of its private /tmp.
FILE_BYTES = 256 * 1024**2
TMP_BYTES = 256 * 1024**2

#: The course packages a notebook imports; readable inside the sandbox.
PACKAGES = ("lessons", "grader")
#: The kernel only probes (grader/check.py) and the grading process judges (JudgeProbes), so the
#: reference ``solutions`` is left out of the sandbox.  The one switch: False binds it in again.
HIDE_SOLUTIONS = True

#: System folders bound read-only when they exist (symbolic links are recreated as links).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: What the kernel needs of /etc (the linker's cache, users, time zone, fonts): not the rest (no /etc/shadow).
ETC_ENTRIES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts",
               "host.conf", "localtime", "timezone", "alternatives", "fonts", "mime.types", "os-release",
               "debian_version", "locale.alias", "matplotlibrc")

#: Environment variables passed into the sandbox (everything else is cleared).
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
              "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND",
              "PYTHONHASHSEED")
PASSED_ENV_PREFIXES = ("NBGRADER_", "NNCOURSE_")


class SandboxUnavailable(RuntimeError):
    """Grading would run student code unsandboxed: bwrap is missing and nobody opted out."""


def disabled() -> bool:
    """Whether sandboxing was switched off (``NNCOURSE_NO_SANDBOX=1``)."""
    return os.environ.get(NO_SANDBOX_ENV, "").strip().lower() in ("1", "true", "yes")


def tool(name: str) -> str | None:
    """The path of a command the sandbox needs (``bwrap``, ``prlimit``), or None."""
    return shutil.which(name)


def bwrap() -> str | None:
    return tool("bwrap")


class ProcessLimit:
    """A ``pids`` cgroup that holds one kernel: at most :data:`MAX_PROCESSES` processes, all killed at the end.

    :meth:`prefix` is the command that moves itself into the cgroup, then runs the sandbox; :meth:`close`
    kills whatever is left in it and removes it.
    """

    def __init__(self, base: Path):
        self.path = Path(tempfile.mkdtemp(prefix="nncourse-kernel-", dir=base))
        (self.path / "pids.max").write_text(str(MAX_PROCESSES))

    @staticmethod
    def base() -> Path | None:
        """A cgroup folder where this process may make a pids cgroup, or None."""
        for root in CGROUP_ROOTS:
            controllers = root / "cgroup.controllers"
            if root.name != "pids" and not (controllers.is_file() and "pids" in controllers.read_text().split()):
                continue  # a v2 hierarchy without the pids controller
            if (root / "cgroup.procs").is_file() and os.access(root, os.W_OK):
                try:
                    ProcessLimit(root).close()
                except OSError:
                    continue
                return root
        return None

    def prefix(self) -> list[str]:
        return ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(self.path)]

    def close(self) -> None:
        import signal

        for _ in range(50):
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)  # the killed processes are not reaped yet


@functools.lru_cache(maxsize=None)
def process_limit_base() -> Path | None:
    return ProcessLimit.base()


def unavailable() -> str | None:
    """Why the grading kernels cannot be sandboxed on this machine, naming the fix; ``None`` when they can."""
    if process_limit_base() is None and (os.geteuid() == 0 or not _nproc()):
        why = ("the grader runs as root, where the process limit does not bind" if os.geteuid() == 0 else
               "this kernel (before Linux 5.14) counts the process limit machine-wide")
        return (f"cannot limit the grading kernels' processes: {why}, and no pids cgroup can be made here "
                "(/sys/fs/cgroup/pids, or a cgroup v2 with the pids controller, writable); run the grader as an "
                f"ordinary user on Linux 5.14 or later, or, on a machine that cannot, with the grader's rights: "
                f"--no-sandbox or {NO_SANDBOX_ENV}=1")
    missing = [name for name in ("bwrap", "prlimit") if tool(name) is None]
    if missing:
        return (f"cannot sandbox the grading kernels: {' and '.join(missing)} not found. Install Debian's "
                "bubblewrap (`apt-get install bubblewrap`, or `make sandbox` as root), or, on a machine that "
                f"cannot sandbox, run student code with the grader's rights: --no-sandbox or {NO_SANDBOX_ENV}=1")
    problem = _trial(bwrap(), tool("prlimit"))
    if problem:
        return (f"cannot sandbox the grading kernels: bwrap fails here ({problem}). It needs unprivileged user "
                "namespaces or root; or, on a machine that cannot sandbox, run student code with the grader's "
                f"rights: --no-sandbox or {NO_SANDBOX_ENV}=1")
    return None


def require() -> None:
    """Raise :class:`SandboxUnavailable`, naming the fix, unless grading can be sandboxed (or opted out)."""
    if disabled():
        return
    reason = unavailable()
    if reason:
        raise SandboxUnavailable(reason)


@functools.lru_cache(maxsize=None)
def _trial(wrapper: str, limit: str) -> str:
    """Run ``true`` in the sandbox once per process: "" when it works, else bwrap's complaint."""
    cmd = wrap([shutil.which("true") or "/bin/true"], writable=[])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"exit status {done.returncode}")[:300]


def package_dir(name: str) -> Path:
    """The folder of an importable package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SandboxUnavailable(f"the package {name!r} is not installed: cannot bind it into the sandbox")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def readable_packages() -> list[Path]:
    """The course packages bound read-only into the sandbox."""
    names = PACKAGES if HIDE_SOLUTIONS else (*PACKAGES, "solutions")
    return [package_dir(name) for name in names]


def python_paths() -> list[Path]:
    """The Python installation and the virtual environment the kernel runs from."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
             Path(sys.executable).resolve().parent}
    return sorted({p.resolve() for p in paths} | paths)


def wrap(cmd: list[str], *, writable: list[Path], memory_bytes: int = MEMORY_BYTES,
         cpu_seconds: int = CPU_SECONDS) -> list[str]:
    """``cmd`` run inside bubblewrap, with ``writable`` the only folders it may write besides its /tmp."""
    wrapper, limit = bwrap(), tool("prlimit")
    if wrapper is None or limit is None:
        require()  # raises, naming the fix
    args = [wrapper, "--die-with-parent", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "grading", "--clearenv"]
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_ENTRIES:
        if os.path.exists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    packages = readable_packages()
    binds = [*python_paths(), *packages]
    for path in binds:
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
           "MPLCONFIGDIR": "/tmp/matplotlib", "PYTHONDONTWRITEBYTECODE": "1",
           # 1: no parent poller (the sandbox has its own process ids) and no console banner;
           # --die-with-parent ends the kernel with the grader instead.
           "JPY_PARENT_PID": "1",
           # the kernel imports the very package folders bound here (a source tree, not only an install)
           "PYTHONPATH": os.pathsep.join(dict.fromkeys(str(p.parent) for p in packages))}
    for name, value in os.environ.items():
        if name in PASSED_ENV or name.startswith(PASSED_ENV_PREFIXES):
            env[name] = value
    for name, value in sorted(env.items()):
        args += ["--setenv", name, value]
    args += ["--remount-ro", "/"]  # the sandbox's own root folder is not a place to write either
    if writable:
        args += ["--chdir", str(writable[0])]
    args += ["--", limit, f"--as={memory_bytes}", f"--cpu={cpu_seconds}", f"--fsize={FILE_BYTES}",
             *_nproc(), "--core=0", "--", *cmd]
    return args


def _nproc() -> list[str]:
    """prlimit's process limit, where it binds the sandbox alone: from Linux 5.14 the count is kept per
    user namespace (bubblewrap makes one for an ordinary user), before that per user, machine-wide."""
    release = tuple(int(n) for n in re.findall(r"\d+", os.uname().release)[:2])
    return [f"--nproc={MAX_PROCESSES}"] if release >= (5, 14) else []


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in :func:`wrap`'s sandbox, over ``ipc`` sockets.

    The kernel's working directory (the submission's ``autograded`` folder,
    nbclient's ``cwd``) is its only writable folder besides its own /tmp.
    """

    sandbox = Bool(True, help="run the kernel in bubblewrap (False: unsandboxed, as plain nbgrader)").tag(config=True)
    memory_bytes = Integer(MEMORY_BYTES, help="address-space limit of the kernel (bytes)").tag(config=True)
    cpu_seconds = Integer(CPU_SECONDS, help="CPU-time limit of the kernel (seconds)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._processes: ProcessLimit | None = None
        if self.sandbox:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="nncourse-kernel-"))
            self.transport = "ipc"
            self.connection_file = str(self._socket_dir / "kernel.json")
            self.ip = str(self._socket_dir / "ipc")

    @default("cache_ports")
    def _no_port_cache(self) -> bool:
        return not self.sandbox  # ipc "ports" are file names, not TCP ports

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox:
            return cmd
        cwd = (self._launch_args or {}).get("cwd")
        writable = [Path(cwd).resolve()] if cwd else []
        wrapped = wrap(cmd, writable=[*writable, self._socket_dir], memory_bytes=self.memory_bytes,
                       cpu_seconds=self.cpu_seconds)
        base = process_limit_base()
        if base is None:
            return wrapped
        if self._processes is not None:  # a restart: what the old kernel left goes first
            self._processes.close()
        self._processes = ProcessLimit(base)
        return [*self._processes.prefix(), *wrapped]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.sandbox and self._processes is not None:
            self._processes.close()
            self._processes = None
        if self.sandbox and not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
