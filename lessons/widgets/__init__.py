"""Interactive widgets, one module per lesson topic; each is a function returning a :class:`Panel`."""
