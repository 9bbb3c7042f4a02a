"""The apps' layers: the import-linter contract in pyproject.toml holds, and docs/architecture.md states
the same layers and, for each app, exactly the apps it imports (so the table cannot drift from the code).
`make lint` runs the same contracts; this keeps a plain `pytest` run honest too (about a second)."""

import re
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter import cli as importlinter_cli

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
LAYERS_CONTRACT = next(c for c in CONFIG["contracts"] if c["id"] == "apps")


def _names(layer: str) -> list[str]:
    return [name.strip().strip("()") for name in re.split(r"[|:]", layer)]


@pytest.fixture(scope="module")
def app_imports() -> dict[str, set[str]]:
    """{top-level module under onewindow: the other top-level modules it imports directly}, less the
    imports the contract ignores."""
    graph = grimp.build_graph("onewindow", include_external_packages=False, cache_dir=None)  # no cache files
    for expression in LAYERS_CONTRACT.get("ignore_imports", []):
        importer, imported = (part.strip() for part in expression.split("->"))
        graph.remove_import(importer=importer, imported=imported)
    imports: dict[str, set[str]] = {}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2:
            continue
        imports.setdefault(parts[1], set())
        for imported in graph.find_modules_directly_imported_by(module):
            other = imported.split(".")
            if len(other) > 1 and other[1] != parts[1]:
                imports[parts[1]].add(other[1])
    return imports


def test_the_import_contracts_are_kept(capsys):
    """Layers (no arrow points up), independent siblings, request-free services: `lint-imports`."""
    code = importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, capsys.readouterr().out


def test_the_documented_layers_are_the_contracts():
    block = re.search(r"```text\n(.*?)```", DOC[DOC.index("## The apps and their layers"):], re.S)
    assert block, "docs/architecture.md: the layers block (```text) under 'The apps and their layers'"
    documented = [" ".join(line.split()) for line in block.group(1).strip().splitlines()]
    assert documented == [" ".join(layer.split()) for layer in LAYERS_CONTRACT["layers"]]


def test_the_app_table_names_exactly_what_each_app_imports(app_imports):
    table = {}
    for row in re.findall(r"^\| `(\w+)` \|.*\| ([^|]*) \|$", DOC, re.M):
        app, depends_on = row
        table[app] = set(re.findall(r"[a-z]+", depends_on))
    assert set(table) == set(app_imports), "docs/architecture.md: one table row per module under onewindow/"
    wrong = {app: {"table": sorted(table[app]), "imports": sorted(app_imports[app])}
             for app in table if table[app] != app_imports[app]}
    assert not wrong, f"docs/architecture.md 'depends on' differs from the imports: {wrong}"


def test_every_dependency_in_the_table_points_down(app_imports):
    """What the table states agrees with the contract: an app depends only on layers below it (or,
    for siblings joined by ':', beside it)."""
    rank = {}
    for position, layer in enumerate(LAYERS_CONTRACT["layers"]):
        for name in _names(layer):
            rank[name] = (position, ":" in layer)
    for app, imported in app_imports.items():
        for other in imported:
            below = rank[other][0] > rank[app][0]
            beside = rank[other][0] == rank[app][0] and rank[app][1]
            assert below or beside, f"{app} imports {other}, which is not below it"
