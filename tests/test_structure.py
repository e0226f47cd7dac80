"""The house's structure: scripts/structure.py passes on the tree, and its checks catch what they are for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def structure():
    spec = importlib.util.spec_from_file_location("structure", ROOT / "scripts" / "structure.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["structure"] = module
    spec.loader.exec_module(module)
    return module


def test_the_tree_has_no_cycle_or_oversize_unit_beyond_the_named_ones(structure, capsys) -> None:
    code = structure.main([])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok: no cycle or oversize unit" in out


def test_the_cycles_issue_16_broke_stay_broken(structure) -> None:
    groups = structure.cycles(structure.import_edges())
    members = {m for group in groups for m in group}
    assert "knowledge.deps" not in members
    assert "api.app" not in members and "api.routes.health" not in members


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({("a", "b"), ("b", "c")}, []),
        ({("a", "b"), ("b", "a")}, [["a", "b"]]),
        ({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}, [["a", "b", "c"]]),
        ({("a", "b"), ("b", "a"), ("c", "d"), ("d", "e"), ("e", "c")}, [["a", "b"], ["c", "d", "e"]]),
        ({("a", "a")}, []),
    ],
)
def test_cycles_finds_every_strongly_connected_group(structure, edges, expected) -> None:
    assert structure.cycles(edges) == expected


def test_check_fails_on_a_new_cycle_and_new_oversize_units_only(structure) -> None:
    limits = structure.Limits(
        module_lines=10,
        function_lines=3,
        allowed_edges=frozenset({("x.b", "x.a"), ("gone.c", "gone.d")}),
        allowed_modules=frozenset({"x/big.py", "x/shrunk.py"}),
        allowed_functions=frozenset({"x/big.py:long"}),
    )
    Unit = structure.Unit
    modules = [Unit("x/big.py", 50), Unit("x/new.py", 11), Unit("x/shrunk.py", 10)]
    functions = [Unit("x/big.py:long", 9), Unit("x/new.py:f", 4), Unit("x/new.py:g", 3)]
    edges = {("x.a", "x.b"), ("x.b", "x.a"), ("x.c", "x.d"), ("x.d", "x.c")}
    report = structure.check(limits, edges, modules, functions)
    assert report.failed
    assert report.cycles == [["x.c", "x.d"]]
    assert report.oversize_modules == [Unit("x/new.py", 11)]
    assert report.oversize_functions == [Unit("x/new.py:f", 4)]
    assert report.stale_exceptions == ["gone.c -> gone.d", "x/shrunk.py"]
    named_only = structure.check(limits, {("x.a", "x.b"), ("x.b", "x.a")}, modules[:1], functions[:1])
    assert not named_only.failed


def test_function_sizes_names_methods_and_nested_functions(structure, tmp_path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        "class C:\n    def method(self):\n        return 1\n\n\ndef outer():\n    def inner():\n        pass\n"
        "    return inner\n",
        encoding="utf-8",
    )
    units = {u.name: u.lines for u in structure.function_sizes(tmp_path, ("pkg",))}
    assert units == {"pkg/m.py:C.method": 2, "pkg/m.py:outer": 4, "pkg/m.py:outer.inner": 2}
    assert structure.module_sizes(tmp_path, ("pkg",)) == [structure.Unit("pkg/m.py", 9)]
