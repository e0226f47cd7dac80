"""The dependencies object (knowledge/deps.py): services built once, one value per family, nothing opened early."""

from __future__ import annotations

from knowledge.deps import Deps


def test_cached_builds_once_and_cached_for_keeps_one_value_per_family(deps: Deps) -> None:
    built: list[str] = []

    def build(name: str) -> str:
        built.append(name)
        return name

    assert deps.cached("x", lambda: build("x")) == deps.cached("x", lambda: build("again")) == "x"
    assert deps.cached_for("vocab", "snap1", lambda: build("v1")) == "v1"
    assert deps.cached_for("vocab", "snap1", lambda: build("never")) == "v1"
    assert deps.cached_for("vocab", "snap2", lambda: build("v2")) == "v2"  # a new snapshot replaces the old
    assert deps.cached_for("vocab", "snap1", lambda: build("v1 again")) == "v1 again"  # the old one was dropped
    assert deps.is_open("vocab") and deps.is_open("x") and not deps.is_open("y")
    assert built == ["x", "v1", "v2", "v1 again"]


def test_no_store_is_open_before_first_use(deps: Deps) -> None:
    assert not deps.is_open("docs") and not deps.is_open("sales") and not deps.is_open("records")
    deps.provide("docs", object())
    assert deps.is_open("docs")
