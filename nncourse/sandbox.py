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
  (:data:`CPU_SECONDS`), file size, no core dumps.

The kernel talks to the grader over ZeroMQ ``ipc`` sockets (files in a
private folder bound into the sandbox) since TCP cannot cross the unshared
network.  :class:`SandboxedKernelManager` is the ``jupyter_client`` kernel
manager that does all this; :mod:`nncourse.execute` plugs it into nbgrader.

A machine without ``bwrap`` cannot grade unless sandboxing is switched off
explicitly (``nncourse grade --no-sandbox`` or ``NNCOURSE_NO_SANDBOX=1``).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, default

#: The environment variable that switches the sandbox off (``1``), for machines that cannot run bwrap.
NO_SANDBOX_ENV = "NNCOURSE_NO_SANDBOX"

#: Address-space cap of a grading kernel (bytes): a memory bomb gets a MemoryError, the machine keeps working.
MEMORY_BYTES = 2 * 1024**3
#: CPU seconds a grading kernel may use in all (SIGXCPU kills it past that).
CPU_SECONDS = 900
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


def unavailable() -> str | None:
    """Why the grading kernels cannot be sandboxed on this machine, naming the fix; ``None`` when they can."""
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
             "--core=0", "--", *cmd]
    return args


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
        return wrap(cmd, writable=[*writable, self._socket_dir], memory_bytes=self.memory_bytes,
                    cpu_seconds=self.cpu_seconds)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.sandbox and not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
