"""The layers of docs/architecture.md, enforced: data flows one way.

An `ast` walk over src/localsdg finds every import of a localsdg module. No module imports one of
a layer to its right; no two files import each other, however indirectly; an import inside a
function is allowed only with a comment on its line saying why (an optional heavy dependency).
The checker is tested on small made-up trees, so a wrong-way import would be seen.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "localsdg"

# Left to right: a module may import from its own layer (without a file cycle) and from layers to
# its left. Domain packages have a fixed order among themselves.
LAYERS: list[tuple[str, ...]] = [
    ("config", "errors", "messages", "taxonomy", "textfiles"),
    ("db",),
    ("catalog",),
    ("areas",),
    ("observations",),
    ("scoring",),
    ("planning",),
    ("accounts",),
    ("present",),
    ("sources",),
    ("reports",),
    ("web",),
    ("cli",),  # the outermost: `localsdg serve` starts the web app
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # a module of the package, or the outside module named
    internal: bool
    line: int
    inside_function: bool
    commented: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path) -> list[Import]:
    """Every import in the package at `root`; one of its own modules resolved to that module."""
    package = root.name
    modules = {module_name(p, root) for p in root.rglob("*.py")}
    found = []
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, in_function in _walk(ast.parse(text)):
            for target in _targets(node, here, modules):
                found.append(Import(name, target, target.split(".")[0] == package, node.lineno,
                                    in_function, "#" in lines[node.lineno - 1]))
    return found


def _walk(tree: ast.AST, in_function: bool = False):
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        yield from _walk(child, in_function or isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))


def _targets(node: ast.Import | ast.ImportFrom, here: str, modules: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [_module(a.name, modules) for a in node.names]
    base = node.module or ""
    if node.level:
        parts = here.split(".")[: len(here.split(".")) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    # `from pkg import module` names the module; `from module import name` the module itself.
    return [_module(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base, modules)
            for a in node.names]


def _module(name: str, modules: set[str]) -> str:
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def wrong_way(found: list[Import]) -> list[str]:
    out = []
    for i in (i for i in found if i.internal):
        a, b = layer(i.importer), layer(i.imported)
        if a not in RANK or b not in RANK:
            out.append(f"{i.importer}:{i.line}: {a if a not in RANK else b} is in no layer")
        elif RANK[b] > RANK[a]:
            out.append(f"{i.importer}:{i.line} imports {i.imported} ({a} may not import {b})")
    return out


def cycles(found: list[Import]) -> list[list[str]]:
    """Groups of files that import each other, directly or through others (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for i in found:
        if i.internal and i.imported != i.importer:
            graph.setdefault(i.importer, set()).add(i.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def hidden(found: list[Import]) -> list[str]:
    return [f"{i.importer}:{i.line} imports {i.imported} inside a function without a comment "
            "saying why" for i in found if i.inside_function and not i.commented]


def test_every_import_runs_one_way():
    assert wrong_way(imports(SRC)) == []


def test_no_file_imports_itself_through_others():
    assert cycles(imports(SRC)) == []


def test_imports_inside_functions_say_why():
    assert hidden(imports(SRC)) == []


def test_every_package_has_a_layer():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    assert (packages | modules) - set(RANK) == set()


# ---------------------------------------------------------------- the checker itself

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "localsdg"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "expected"), [
    ({"catalog/a.py": "from localsdg.web import app\n", "web/app.py": ""},
     ["localsdg.catalog.a:1 imports localsdg.web.app (catalog may not import web)"]),
    ({"areas/a.py": "from localsdg.observations.store import x\n",
      "observations/store.py": "x = 1\n"},
     ["localsdg.areas.a:1 imports localsdg.observations.store "
      "(areas may not import observations)"]),
    ({"reports/r.py": "from ..web import charts\n", "web/charts.py": ""},
     ["localsdg.reports.r:1 imports localsdg.web.charts (reports may not import web)"]),
    ({"web/w.py": "import localsdg.cli.main\n", "cli/main.py": ""},
     ["localsdg.web.w:1 imports localsdg.cli.main (web may not import cli)"]),
    ({"sources/s.py": "from localsdg.scoring import run\n", "scoring/run.py": "",
      "present/p.py": "from localsdg import errors\n", "errors.py": ""}, []),
])
def test_the_checker_sees_a_wrong_way_import(tmp_path, files, expected):
    assert wrong_way(imports(_tree(tmp_path, files))) == expected


def test_the_checker_sees_a_cycle_between_files(tmp_path):
    root = _tree(tmp_path, {"catalog/a.py": "from localsdg.catalog import b\n",
                            "catalog/b.py": "from localsdg.catalog.c import x\n",
                            "catalog/c.py": "from localsdg.catalog.a import y\n"})
    assert cycles(imports(root)) == [["localsdg.catalog.a", "localsdg.catalog.b",
                                      "localsdg.catalog.c"]]


def test_the_checker_sees_an_import_hidden_in_a_function(tmp_path):
    root = _tree(tmp_path, {"scoring/s.py": (
        "def f():\n    from localsdg.catalog import x\n"
        "def g():\n    from localsdg.catalog import y  # heavy: only for PDF\n"
        "def h():\n    import json\n"),
        "catalog/x.py": "", "catalog/y.py": ""})
    assert hidden(imports(root)) == [
        "localsdg.scoring.s:2 imports localsdg.catalog.x inside a function without a comment "
        "saying why",
        "localsdg.scoring.s:6 imports json inside a function without a comment saying why"]
