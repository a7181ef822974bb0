"""Exceptions that carry a Chinese message for the user.

The CLI turns each into one line on stderr and the documented exit code; nothing else prints them.
"""

from __future__ import annotations

#: Exit codes, documented in the README and in ``ogi --help``.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


class OgiError(Exception):
    """Base class. ``str(exc)`` is a complete Chinese sentence naming the file and the place."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str, *, path: object | None = None) -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}：{message}" if path else message)


class SpecError(OgiError):
    """A form spec file is malformed (a developer or template problem)."""


class InputError(OgiError):
    """An input file or argument cannot be used: missing, wrong type, unsafe, unreadable."""


class OutputError(OgiError):
    """An output cannot be written: folder missing or read-only, file exists, name unusable."""


class UsageProblem(OgiError):
    """The arguments of a call do not fit together (``--agency`` with several reports): the CLI
    reports it as a usage error, with the hint to its ``--help``."""
