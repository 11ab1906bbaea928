"""The import direction of DESIGN.md: parsers/ and reports/ are leaves; only evidence/ joins them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package, forbidden", [("parsers", {"evidence", "reports"}),
                                                ("reports", {"evidence", "parsers"})])
def test_leaves_import_nothing_of_ours_but_themselves(package, forbidden):
    wrong = sorted((path, module) for path, module in _imports(package) if module in forbidden)
    assert wrong == []


def test_every_module_opens_with_a_docstring():
    missing = [str(p.relative_to(ROOT)) for pkg in ("parsers", "reports", "evidence")
               for p in (ROOT / pkg).rglob("*.py")
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []
