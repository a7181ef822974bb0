"""``ogi serve``: one year folder on a local web page (Flask + Jinja2, served by waitress).

Needs the ``serve`` extra (``pip install "ogi[serve]"``); :func:`missing_extra` says so in Chinese.
"""

from __future__ import annotations

import importlib

EXTRA_MODULES = ("flask", "waitress", "flask_wtf")


def missing_extra() -> list[str]:
    """The modules of the ``serve`` extra that are not installed."""
    missing = []
    for name in EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing
