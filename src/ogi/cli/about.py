"""What is installed: ogi's version, its libraries' versions, Python, LibreOffice (``ogi --version``).

The libraries are read from ogi's own installed metadata (its Requires-Dist), so the list follows
pyproject.toml without being written twice. A library an extra brings in (``ogi[serve]``) is listed
when it is installed; the developers' ``test`` extra never is. Nothing heavy is imported.
"""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata

from .. import __version__
from ..files.libreoffice import find_soffice

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
DEVELOPER_EXTRAS = frozenset({"test"})


def library_versions() -> list[tuple[str, str | None]]:
    """(distribution, version or None when a required one is missing) for each runtime library."""
    try:
        requires = metadata.requires("ogi") or []
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        requires = []
    seen: dict[str, str | None] = {}
    for line in requires:
        m = _NAME.match(line)
        if m is None:
            continue
        name = m[1]
        marker = line.partition(";")[2]
        extra = _EXTRA.search(marker)
        if extra is not None and extra[1] in DEVELOPER_EXTRAS:
            continue
        try:
            seen.setdefault(name, metadata.version(name))
        except metadata.PackageNotFoundError:
            if not marker:  # unconditional and missing: show it; conditional ones just do not apply
                seen.setdefault(name, None)
    return list(seen.items())


def version_text() -> str:
    """The lines ``ogi --version`` prints (Chinese labels)."""

    lines = [f"ogi {__version__}",
             f"Python {platform.python_version()}（{platform.python_implementation()}，"
             f"{platform.system()} {platform.machine()}，{sys.executable}）",
             "依赖库："]
    for name, version in library_versions():
        lines.append(f"  {name} {version if version is not None else '未安装'}")
    soffice = find_soffice()
    lines.append(f"LibreOffice：{soffice}（ogi fill --pdf 使用）" if soffice
                 else "LibreOffice：未找到（只有 ogi fill --pdf 需要）")
    return "\n".join(lines)
