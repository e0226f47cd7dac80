"""One Chroma collection per embedding model (cosine, HNSW set at creation), embedded or by server URL."""

from __future__ import annotations

import re
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaClientSettings

from fupan.errors import Conflict
from fupan.settings import Settings


def collection_name(model: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", model).strip("-_")[:50] or "model"
    return f"fupan_docs_{slug}"


def open_client(settings: Settings) -> Any:
    chroma_settings = ChromaClientSettings(anonymized_telemetry=False)
    if settings.chroma.url:
        match = re.match(r"^(https?)://([^:/]+)(?::(\d+))?", settings.chroma.url)
        if not match:
            raise Conflict(f"chroma.url {settings.chroma.url!r} is not http(s)://host[:port]")
        scheme, host, port = match.groups()
        return chromadb.HttpClient(
            host=host, port=int(port or 8000), ssl=scheme == "https", settings=chroma_settings
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class VectorStore:
    """Chunk vectors of one embedding model; refuses vectors of another model or dimension."""

    def __init__(self, settings: Settings, model: str, dimension: int) -> None:
        self._client = open_client(settings)
        self.model, self.dimension = model, dimension
        self._collection = self._client.get_or_create_collection(
            name=collection_name(model),
            embedding_function=None,
            metadata={
                "hnsw:space": "cosine",
                "hnsw:M": settings.chroma.hnsw_m,
                "hnsw:construction_ef": settings.chroma.hnsw_construction_ef,
                "hnsw:search_ef": settings.chroma.hnsw_search_ef,
                "embedding_model": model,
                "dimension": dimension,
            },
        )
        meta = self._collection.metadata or {}
        if meta.get("embedding_model") != model or int(meta.get("dimension", dimension)) != dimension:
            raise Conflict(
                f"collection {self._collection.name} holds vectors of {meta.get('embedding_model')} "
                f"(dimension {meta.get('dimension')}), not {model} (dimension {dimension})",
                hint="vectors of two models are never mixed; re-ingest into a fresh workspace",
            )

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        if vectors.shape[1:] != (self.dimension,):
            raise Conflict(
                f"vector dimension {vectors.shape[1:]} does not match {self.dimension} of {self.model}"
            )
        step = 4000
        for i in range(0, len(ids), step):
            self._collection.upsert(
                ids=ids[i : i + step],
                embeddings=vectors[i : i + step].tolist(),
                metadatas=metadatas[i : i + step],
            )

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._collection.delete(ids=ids)

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """The k nearest chunk ids with cosine similarity; k must not exceed the collection's size."""
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=where or None,
            include=["distances"],
        )
        return [
            (cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def count(self) -> int:
        return int(self._collection.count())

    def close(self) -> None:
        """Release the client; the embedded store is reloaded from disk by the next one opened."""
        close = getattr(self._client, "close", None)
        if callable(close):
            close()

    def ids(self) -> list[str]:
        """Every vector id in the collection (for consistency checks)."""
        out: list[str] = []
        step, offset = 10_000, 0
        while True:
            part = self._collection.get(include=[], limit=step, offset=offset)["ids"]
            out += part
            if len(part) < step:
                return out
            offset += step

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of some ids (those that exist)."""
        if not ids:
            return {}
        got = self._collection.get(ids=ids, include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)
        }
