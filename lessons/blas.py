"""One BLAS thread for the small matrix products of the widgets and demos.

The products here (a few hundred rows by at most a hundred columns) take well
under a millisecond on one thread, while several threads competing with a
busy machine can take ten times longer.  ``threadpoolctl`` (a dependency of
the course) does the limiting; without it nothing is limited.
"""

from __future__ import annotations

import contextlib
from typing import Iterator


def _controller():
    """A thread-pool controller of the BLAS libraries loaded now (made afresh, about half a millisecond:
    one made earlier would miss a library loaded since, such as another package's own BLAS)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - the course depends on threadpoolctl
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit NumPy's BLAS to one thread inside the ``with`` block.

    Examples
    --------
    >>> import numpy as np
    >>> with one_blas_thread():
    ...     product = np.ones((200, 100)) @ np.ones((100, 100))
    """
    controller = _controller()
    if controller is None:  # pragma: no cover - see _controller
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield
