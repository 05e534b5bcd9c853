"""Wall time, CPU time and the machine's load around one measured piece of work.

The machine is shared (2 cores, other people's jobs running), so a wall time
alone says little: every timing in ``bench-results.json`` carries the CPU
seconds spent by this process and by its child processes (kernels, worker
processes, a command run with :mod:`subprocess`), and the 1-minute
load average before and after.  ``cores_used`` is CPU over wall: about 1.0
for one busy process, up to 2.0 on this machine.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from typing import Iterator


def load() -> float:
    """The 1-minute load average (runnable processes, everyone's)."""
    return round(os.getloadavg()[0], 2)


class Descendants:
    """Samples the CPU time of every live descendant process (children, grandchildren, ...) in a thread.

    A child's CPU reaches ``os.times()`` only once it has been waited for, and
    a sandboxed kernel (bubblewrap, its own process namespace) never is: it is
    reaped inside the sandbox.  Sampling sees it anyway, up to ``interval``
    seconds before it ends.
    """

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.seen: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        import psutil

        try:
            procs = psutil.Process().children(recursive=True)
        except psutil.Error:
            return
        for proc in procs:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    key = (proc.pid, proc.create_time())
            except psutil.Error:
                continue
            self.seen[key] = max(self.seen.get(key, 0.0), times.user + times.system)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "Descendants":
        self.sample()
        self.before = dict(self.seen)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def cpu(self) -> float:
        """CPU seconds the descendants spent while sampled (those alive at the start count from then)."""
        return sum(t - self.before.get(key, 0.0) for key, t in self.seen.items())


@contextmanager
def measured() -> Iterator[dict]:
    """Yield a dict filled on exit with ``wall_s``, ``cpu_s``, ``cpu_self_s``, ``cpu_children_s``,
    ``cores_used``, ``load_before`` and ``load_after``.

    ``cpu_children_s`` is the larger of two views of the child processes'
    CPU: ``os.times()`` (children that ended and were waited for, exact) and
    sampling every live descendant (which also sees sandboxed kernels).
    """
    out: dict = {"load_before": load()}
    t0, c0 = time.perf_counter(), os.times()
    with Descendants() as sampled:
        try:
            yield out
        finally:
            wall, c1 = time.perf_counter() - t0, os.times()
    cpu_self = (c1.user - c0.user) + (c1.system - c0.system)
    reaped = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    cpu_children = max(reaped, sampled.cpu)
    out.update(wall_s=round(wall, 3), cpu_s=round(cpu_self + cpu_children, 3),
               cpu_self_s=round(cpu_self, 3), cpu_children_s=round(cpu_children, 3),
               cpu_children_reaped_s=round(reaped, 3), cpu_children_sampled_s=round(sampled.cpu, 3),
               cores_used=round((cpu_self + cpu_children) / wall, 2) if wall > 0 else 0.0,
               load_after=load())
