"""Where the bundled form specs and Word templates live.

In a wheel they are packaged under ``ogi/_data/``; in a source checkout (editable install, tests) they
are the top-level ``workbook_templates/`` and ``docx_templates/`` folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent.parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _REPO / name


def template_path(name: str) -> Path:
    """A file in ``workbook_templates/``."""
    return _data_dir("workbook_templates") / name


def docx_template_path(name: str) -> Path:
    """A file in ``docx_templates/``."""
    return _data_dir("docx_templates") / name


def example_path(name: str) -> Path:
    """A bundled example file (``examples/``)."""
    return _data_dir("examples") / name
