"""Print pip constraints that pin every direct runtime dependency of ogi to its pyproject lower bound
(runtime extras such as `serve` included).

`.ci/run` installs ogi once against these (with --only-binary=:all:) so that the lower bounds in
pyproject.toml are really tested: a bound that has no wheel for CI's Python fails here and must be
raised in pyproject.toml, not skipped. The test tools' extra is pinned exactly in pyproject.toml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip's vendored parser reads the same file
    from pip._vendor import tomli as tomllib  # type: ignore[no-redef]

#: The test tools' extra: pinned exactly in pyproject.toml, not bounded.
TEST_EXTRA = "test"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*(;.*)?$")


def lower_bound_pins(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    runtime = list(project["dependencies"])
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra != TEST_EXTRA:  # runtime extras (`serve`) are bounded like the core dependencies
            runtime.extend(requirements)
    pins = []
    for requirement in runtime:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"{pyproject}: runtime dependency without a plain lower bound: {requirement!r}")
        name, _extras, version, marker = match.groups()
        pins.append(f"{name}=={version}{' ' + marker if marker else ''}")
    return pins


def all_extras(pyproject: Path) -> list[str]:
    """Every optional-dependency group: CI installs ogi with all of them (`serve`, `test`)."""
    return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
                .get("optional-dependencies", {}))


if __name__ == "__main__":
    args = sys.argv[1:]
    extras = "--extras" in args
    args = [a for a in args if a != "--extras"]
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent
    if extras:
        print(",".join(all_extras(root / "pyproject.toml")))
    else:
        print("\n".join(lower_bound_pins(root / "pyproject.toml")))
