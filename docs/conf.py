"""Sphinx configuration of pdekit's documentation (``make docs``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import pdekit  # noqa: E402 (after the extension path)

project = "pdekit"
author = "pdekit developers"
copyright = "pdekit developers"
release = version = pdekit.__version__

extensions = [
    "myst_nb",               # Markdown pages and the notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",   # numpy-style docstrings
    "sphinx.ext.mathjax",
    "pdekit_docs",           # the case-file reference and the gallery, built from pdekit
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "cases"]
# The notebooks are shown as committed (no outputs): tests/docs/test_notebooks.py runs them.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath"]
smartquotes = False  # the case-file reference shows help texts verbatim
myst_heading_anchors = 3
# benchmarks.md includes benchmarks/RESULTS.md, whose sections skip heading levels
suppress_warnings = ["myst.header"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False

html_theme = "furo"
html_title = f"pdekit {release}"
