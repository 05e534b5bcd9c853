"""The release's own step: stubs that name their function (configured in ``nbgrader_config.py``)."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

#: The line nbgrader's ClearSolutions puts where a solution was (its default Python stub).
GENERIC_STUB = "raise NotImplementedError()"


class NameStubs(NbGraderPreprocessor):
    """Make each released stub name its function.

    Runs right after ``ClearSolutions`` in ``generate_assignment``: in the
    solution cell of graded function ``mse`` the generic
    ``raise NotImplementedError()`` becomes
    ``raise NotImplementedError("mse is not implemented yet: ...")``, which is
    what a student sees when a test, widget or demo calls the stub.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and GENERIC_STUB in cell.source:
            name = meta.get("grade_id", "this function")
            message = f"{name} is not implemented yet: replace this line with your code"
            cell.source = cell.source.replace(GENERIC_STUB, f'raise NotImplementedError("{message}")')
        return cell, resources
