"""Declared dependencies match the imports, and package-data globs match the files."""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "techwatch"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Base dependencies used without an import of their own name: say why.
NOT_IMPORTED = {
    "manimgx-fonts": "font files read from the installed package's folder",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imports() -> set[str]:
    """Top-level names of every module imported by the package (at any depth)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - {"techwatch"} - set(sys.stdlib_module_names)


@functools.cache
def _all_distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in _all_distributions().get(module, [])}


def test_every_import_is_declared_and_every_base_dependency_is_used():
    project = PYPROJECT["project"]
    base = {_name(r) for r in project["dependencies"]}
    extras = {_name(r) for reqs in project["optional-dependencies"].values() for r in reqs}
    imports = _imports()
    undeclared = {}
    used: set[str] = set()
    for module in imports:
        dists = _distributions(module)
        if not dists:
            continue  # not installed here (an optional extra): nothing to compare
        used |= dists
        if not dists & (base | extras):
            undeclared[module] = sorted(dists)
    assert undeclared == {}
    unused = base - used - set(NOT_IMPORTED)
    assert unused == set()


def test_package_data_globs_match_files_and_cover_every_data_file():
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["techwatch"]
    covered: set[Path] = set()
    for pattern in globs:
        matched = {p for p in PACKAGE.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
        assert matched, f"package-data glob {pattern!r} matches no file"
        covered |= matched
    data = {
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    missing = sorted(str(p.relative_to(PACKAGE)) for p in data - covered)
    assert missing == [], "data files no package-data glob ships"
