"""Print pip constraints that pin every direct runtime dependency of ogi to its pyproject lower bound.

`.ci/run` installs ogi once against these (with --only-binary=:all:) so that the lower bounds in
pyproject.toml are really tested: a bound that has no wheel for CI's Python fails here and must be
raised in pyproject.toml, not skipped. Extras (the test tools, pinned exactly) are left to pyproject.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip's vendored parser reads the same file
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*(;.*)?$")


def lower_bound_pins(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"{pyproject}: runtime dependency without a plain lower bound: {requirement!r}")
        name, _extras, version, marker = match.groups()
        pins.append(f"{name}=={version}{' ' + marker if marker else ''}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print("\n".join(lower_bound_pins(root / "pyproject.toml")))
