"""The shape of the code: no import cycle between apps, function-local imports say why.

The layers themselves are import-linter contracts (pyproject.toml, run by `make lint`); these
tests add what a contract cannot state.
"""

import ast
from pathlib import Path

import grimp

SRC = Path(__file__).resolve().parents[1] / "src" / "expedite"


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _cycles(graph) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def test_no_import_cycle_runs_between_modules_of_different_apps():
    graph = grimp.build_graph("expedite", include_external_packages=False)
    across = [c for c in _cycles(graph) if len({_app(m) for m in c}) > 1]
    assert across == [], across


def test_the_cycle_finder_finds_a_cycle():
    class Graph:
        modules = {"expedite.a.x", "expedite.b.y", "expedite.b.z"}
        edges = {"expedite.a.x": {"expedite.b.y"}, "expedite.b.y": {"expedite.a.x"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges.get(module, set())

    assert _cycles(Graph()) == [{"expedite.a.x", "expedite.b.y"}]


def _uncommented_local_imports(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Import | ast.ImportFrom):
                continue
            if "#" in lines[sub.lineno - 1]:
                continue
            # A comment above the block of imports it opens covers the block.
            i = sub.lineno - 2
            while i >= 0 and (
                not lines[i].strip()
                or lines[i].strip().startswith(("from ", "import ", ")"))
                or lines[i].startswith(" " * (sub.col_offset + 4))
            ):
                i -= 1
            if i < 0 or not lines[i].strip().startswith("#"):
                found.append(
                    f"{path.relative_to(SRC)}:{sub.lineno}: {lines[sub.lineno - 1].strip()}"
                )
    return found


def test_every_function_local_import_says_why():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            found += _uncommented_local_imports(path)
    assert found == [], "\n".join(found)


def test_the_local_import_check_sees_an_unexplained_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import json\n\n\ndef g():\n    # Why.\n    import json\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        assert _uncommented_local_imports(module) == ["m.py:2: import json"]
    finally:
        SRC = saved
