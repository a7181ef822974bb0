"""The package layout is the architecture: no module imports a package above its own.

Layers, lowest first (README, "Architecture"): the top-level base modules, files, form, workbook,
document, county, importers, then the web page and the command line (whose `ogi serve` starts the
page). Only ``ogi/__main__.py`` (``python -m ogi``) stands above them all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "ogi"
LAYERS = ["", "files", "form", "workbook", "document", "county", "importers", "web", "cli"]


def package_of(module: str) -> str:
    """'ogi.form.spec' -> 'form'; 'ogi.errors' -> '' (the base)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (SRC / parts[1]).is_dir()) else ""


def imports_of(path: Path) -> list[tuple[int, str]]:
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            found += [(node.lineno, n) for n in names if n.startswith("ogi.") or n == "ogi"]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("ogi.")]
    return found


def test_layer_list_names_every_package() -> None:
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS) - {""}


def test_no_module_imports_upward() -> None:
    upward = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "__main__.py":
            continue
        own = package_of(".".join(path.relative_to(SRC.parent).with_suffix("").parts))
        for line, target in imports_of(path):
            other = package_of(target)
            if other == own or target == "ogi":
                continue
            if LAYERS.index(other) > LAYERS.index(own):
                upward.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert upward == []


def test_readme_architecture_maps_onto_the_packages() -> None:
    """README's Architecture block names every package, in layer order, and every module of the
    packages that make up the design (cli, web and importers are named as packages only)."""
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Architecture", 1)[1].split("```", 2)[1]
    named = [line.split()[0].removeprefix("src/ogi/").strip("/") for line in block.splitlines()
             if line.startswith("src/ogi/")]
    assert named == LAYERS  # the base ("src/ogi/") first, then each package in layer order
    listed = set(re.findall(r"\b(\w+)\.py\b", block))
    for package in ("", "files", "form", "workbook", "document", "county"):
        modules = {p.stem for p in (SRC / package).glob("*.py") if not p.name.startswith("__")}
        assert modules <= listed, f"README's Architecture does not name {sorted(modules - listed)}"
