"""Wall time, CPU time and the machine's load around one measured piece of work.

The machine is shared (2 cores, other people's jobs running), so a wall time
alone says little: every timing in ``bench-results.json`` carries the CPU
seconds spent by this process and by its finished child processes (kernels,
worker processes, a command run with :mod:`subprocess`), and the 1-minute
load average before and after.  ``cores_used`` is CPU over wall: about 1.0
for one busy process, up to 2.0 on this machine.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterator


def load() -> float:
    """The 1-minute load average (runnable processes, everyone's)."""
    return round(os.getloadavg()[0], 2)


@contextmanager
def measured() -> Iterator[dict]:
    """Yield a dict filled on exit with ``wall_s``, ``cpu_s`` (self + reaped children),
    ``cpu_self_s``, ``cpu_children_s``, ``cores_used``, ``load_before`` and ``load_after``.

    CPU time of a child process counts only once it has ended and been waited
    for, as kernels and worker pools are when they shut down.
    """
    out: dict = {"load_before": load()}
    t0, c0 = time.perf_counter(), os.times()
    try:
        yield out
    finally:
        wall, c1 = time.perf_counter() - t0, os.times()
        cpu_self = (c1.user - c0.user) + (c1.system - c0.system)
        cpu_children = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        out.update(wall_s=round(wall, 3), cpu_s=round(cpu_self + cpu_children, 3),
                   cpu_self_s=round(cpu_self, 3), cpu_children_s=round(cpu_children, 3),
                   cores_used=round((cpu_self + cpu_children) / wall, 2) if wall > 0 else 0.0,
                   load_after=load())
