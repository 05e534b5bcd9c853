"""``python -m nncourse``: the same as the ``nncourse`` command."""

from . import main

raise SystemExit(main())
