"""The server's address opens the reviewer's page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from fupan.settings import Settings


def test_root_redirects_to_the_page(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        reply = client.get("/", follow_redirects=False)
        assert reply.status_code == 307 and reply.headers["location"] == "/ui"
        assert client.get("/").status_code == 200  # the sign-in page
