"""One module per lesson: ``CASES``, a list of :class:`bench.widgets.WidgetCase`."""
