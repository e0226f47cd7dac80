"""The house's structure in one report: import cycles, the largest modules and the longest functions.

    .venv/bin/python scripts/structure.py            # report; exit 1 on a new cycle or a new oversize unit
    .venv/bin/python scripts/structure.py --top 20   # show the 20 largest modules and functions

It reads the import graph of `fupan/ knowledge/ agent/ api/` with grimp (the library import-linter is built on;
every import counts, also those inside functions and under `TYPE_CHECKING`) and the size of every module and
function with `ast`. The limits and the named exceptions live in `scripts/structure_exceptions.toml`:

- a cycle is allowed only through an import edge named there (`"a.b -> c.d"`); the script removes those edges and
  fails on any strongly connected group of modules that is left;
- a module over `module_lines` or a function over `function_lines` fails unless it is named there; a named unit
  that has since shrunk under the limit is reported so its exception can be dropped.

The layer contract itself (which package may import which) is import-linter's job (`lint-imports`, configured in
pyproject.toml); this script is the part import-linter does not do.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("fupan", "knowledge", "agent", "api")
EXCEPTIONS = ROOT / "scripts" / "structure_exceptions.toml"


@dataclass(frozen=True)
class Unit:
    """A module (`knowledge/records.py`) or a function (`knowledge/records.py:Records.save`) and its length."""

    name: str
    lines: int


@dataclass(frozen=True)
class Limits:
    module_lines: int
    function_lines: int
    allowed_edges: frozenset[tuple[str, str]]
    allowed_modules: frozenset[str]
    allowed_functions: frozenset[str]


def load_limits(path: Path = EXCEPTIONS) -> Limits:
    """The limits and the named exceptions, from the TOML file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    edges = set()
    for entry in data.get("cycle", []):
        importer, _, imported = (part.strip() for part in entry["edge"].partition("->"))
        edges.add((importer, imported))
    return Limits(
        module_lines=int(data["limits"]["module_lines"]),
        function_lines=int(data["limits"]["function_lines"]),
        allowed_edges=frozenset(edges),
        allowed_modules=frozenset(e["name"] for e in data.get("module", [])),
        allowed_functions=frozenset(e["name"] for e in data.get("function", [])),
    )


def import_edges(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> set[tuple[str, str]]:
    """Every (importer, imported) pair between modules of the packages."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    graph = grimp.build_graph(*packages, cache_dir=None)
    edges = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add((module, imported))
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm, iterative)."""
    graph: dict[str, list[str]] = {}
    for importer, imported in sorted(edges):
        graph.setdefault(importer, []).append(imported)
        graph.setdefault(imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(groups)


def module_sizes(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[Unit]:
    """Every module's line count, largest first."""
    units = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            units.append(Unit(path.relative_to(root).as_posix(), lines))
    return sorted(units, key=lambda u: (-u.lines, u.name))


def function_sizes(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[Unit]:
    """Every function's and method's line count (`def` line to last line; nested ones counted too)."""
    units: list[Unit] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            _collect(tree, rel, "", units)
    return sorted(units, key=lambda u: (-u.lines, u.name))


def _collect(node: ast.AST, rel: str, prefix: str, units: list[Unit]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            end = child.end_lineno or child.lineno
            units.append(Unit(f"{rel}:{prefix}{child.name}", end - child.lineno + 1))
            _collect(child, rel, f"{prefix}{child.name}.", units)
        elif isinstance(child, ast.ClassDef):
            _collect(child, rel, f"{prefix}{child.name}.", units)


@dataclass
class Report:
    cycles: list[list[str]]
    oversize_modules: list[Unit]
    oversize_functions: list[Unit]
    stale_exceptions: list[str]

    @property
    def failed(self) -> bool:
        return bool(self.cycles or self.oversize_modules or self.oversize_functions)


def check(
    limits: Limits, edges: set[tuple[str, str]], modules: list[Unit], functions: list[Unit]
) -> Report:
    """Apply the limits and the exceptions to a measured tree."""
    unknown_edges = sorted(f"{a} -> {b}" for a, b in limits.allowed_edges - edges)
    over_m = [u for u in modules if u.lines > limits.module_lines]
    over_f = [u for u in functions if u.lines > limits.function_lines]
    stale = unknown_edges + sorted(
        (limits.allowed_modules - {u.name for u in over_m})
        | (limits.allowed_functions - {u.name for u in over_f})
    )
    return Report(
        cycles=cycles(edges - limits.allowed_edges),
        oversize_modules=[u for u in over_m if u.name not in limits.allowed_modules],
        oversize_functions=[u for u in over_f if u.name not in limits.allowed_functions],
        stale_exceptions=stale,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="how many of the largest units to list")
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS, help="the limits and exceptions file")
    args = parser.parse_args(argv)
    limits = load_limits(args.exceptions)
    edges = import_edges()
    modules, functions = module_sizes(), function_sizes()
    report = check(limits, edges, modules, functions)
    out = sys.stdout
    out.write(
        f"limits: {limits.module_lines} lines a module, {limits.function_lines} a function "
        f"({args.exceptions.relative_to(ROOT) if args.exceptions.is_relative_to(ROOT) else args.exceptions})\n"
    )
    all_cycles = cycles(edges)
    out.write(f"\nimport cycles: {len(all_cycles)} in all, {len(report.cycles)} not allowed\n")
    for group in all_cycles:
        mark = "NEW " if group in report.cycles else "named"
        out.write(f"  {mark} {' <-> '.join(group)}\n")
    for title, units, limit, allowed in (
        ("modules", modules, limits.module_lines, limits.allowed_modules),
        ("functions", functions, limits.function_lines, limits.allowed_functions),
    ):
        over = [u for u in units if u.lines > limit]
        out.write(f"\nlargest {title} ({len(over)} over {limit} lines, {len(units)} in all)\n")
        for unit in units[: max(args.top, len(over))]:
            mark = "     " if unit.lines <= limit else ("named" if unit.name in allowed else "NEW  ")
            out.write(f"  {mark} {unit.lines:5d}  {unit.name}\n")
    for name in report.stale_exceptions:
        out.write(f"\nnote: exception no longer needed, drop it from the exceptions file: {name}\n")
    if report.failed:
        out.write(
            "\nFAILED: split the new cycle or oversize unit, or name it with a reason in "
            "scripts/structure_exceptions.toml\n"
        )
        return 1
    out.write("\nok: no cycle or oversize unit beyond the named exceptions\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
