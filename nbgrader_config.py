"""nbgrader configuration: this repository is the course directory."""

import os

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

from nncourse.release import NameStubs

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "nncourse"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# nbgrader copies every other file of a lesson's folder into the release and the submissions: never the answers
# to the prediction questions (lessons/predict.py) of whoever ran the notebook there.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "predictions.json",
                            ".predictions-*"]
# Parallel graders wait up to a minute for the gradebook instead of failing on a lock.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db") + "?timeout=60"

# Released stubs name their function: NameStubs runs right after ClearSolutions.
_steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
_steps.insert(_steps.index(ClearSolutions) + 1, NameStubs)
c.GenerateAssignment.preprocessors = _steps

# A notebook cell may run for at most this many seconds when grading.
c.ExecutePreprocessor.timeout = 120
# Kill the kernel when a notebook is done instead of waiting up to seconds for a polite exit.
c.ExecutePreprocessor.shutdown_kernel = "immediate"

# Autograding runs student code in a sandbox (nncourse/sandbox.py): nncourse/execute.py's SandboxedExecute
# takes the place of nbgrader's Execute (a subclass: the ExecutePreprocessor settings above still apply).
# A step that must run right after execution goes after SandboxedExecute in this list.
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402

from nncourse.execute import SandboxedExecute  # noqa: E402

_autograde = list(Autograde.class_traits()["autograde_preprocessors"].default())
_autograde[_autograde.index(Execute)] = SandboxedExecute
# The grading kernel only probes (grader/check.py); JudgeProbes judges every hidden test in this
# process, right after execution, and replaces the test cell's outputs with the report and score.
from nncourse.judge import JudgeProbes  # noqa: E402

_autograde.insert(_autograde.index(SandboxedExecute) + 1, JudgeProbes)
c.Autograde.autograde_preprocessors = _autograde

# Feedback a student can read offline (nncourse/feedback.py): test cells shown as the student saw them, the
# course's feedback template (found before nbgrader's own template of the same name), formulas as MathML.
import nbgrader  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from nncourse.feedback import TEMPLATES, FeedbackCells, SanitizeOutputs  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, FeedbackCells]
c.HTMLExporter.extra_template_basedirs = [
    str(TEMPLATES),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
]
# No HTML or script a student made runs where the instructor looks: every HTMLExporter (the feedback, and the
# formgrader's page of an autograded notebook, served on the Jupyter server's own origin) cleans the outputs
# (SanitizeOutputs), the Markdown cells (markdown2html) and the HTML (clean_html, which nbconvert's templates
# apply once sanitize_html is set) to the course's allow-list, and writes no output's script.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.preprocessors = [SanitizeOutputs]
c.HTMLExporter.filters = {"markdown_mathml": "nncourse.feedback.markdown_to_html",
                          "markdown2html": "nncourse.feedback.safe_markdown",
                          "clean_html": "nncourse.feedback.clean_html"}
