"""The reviewer's page (issue 17, failures 9b-9d; OWASP API8 security misconfiguration): security headers on
every response, a frame-ancestors CSP so no other origin can frame the Approve button, a Secure session cookie in
production, CSRF on the login form, and flash messages only from a fixed set of keys."""

from __future__ import annotations

import re

import pytest
from api_world import World, build_world, hand_report
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from build_world(tmp_path_factory.mktemp("page-sec"))


def _token(c: TestClient) -> str:
    return re.search(r'name="login_csrf" value="([^"]*)"', c.get("/ui/login").text).group(1)


def _signed_in(world: World, who: str) -> TestClient:
    c = TestClient(world.client.app)
    assert c.post("/ui/login", data={"api_key": world.keys[who], "login_csrf": _token(c)}).status_code == 200
    return c


def test_every_response_carries_the_security_headers(world: World) -> None:
    draft_id = world.save("analyst", hand_report(marker="frame"))["id"]
    page = _signed_in(world, "approver")
    responses = {
        "login": TestClient(world.client.app).get("/ui/login"),
        "draft": page.get(f"/ui/drafts/{draft_id}"),
        "inbox": page.get("/ui/inbox"),
        "error page": page.get("/ui/drafts/rv-nope"),
        "static": page.get("/ui/static/page.js"),
        "api": world.client.get("/health"),
        "api error": world.client.get("/drafts", headers={"Authorization": "Bearer fpk_x_y"}),
        "too large": world.client.post(
            "/ask", content=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"}
        ),
    }
    for name, r in responses.items():
        assert r.headers.get("x-frame-options") == "DENY", name
        assert r.headers.get("x-content-type-options") == "nosniff", name
        assert "frame-ancestors 'none'" in r.headers.get("content-security-policy", ""), name
    csp = responses["draft"].headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert 'id="approve"' in responses["draft"].text  # the framed button of the probe is on this page


def test_the_login_form_needs_its_csrf_token(world: World) -> None:
    c = TestClient(world.client.app)
    forged = c.post("/ui/login", data={"api_key": world.keys["approver"]})
    assert forged.status_code == 403 and "fupan_session" not in forged.cookies
    other = TestClient(world.client.app)
    token = _token(other)  # a token from another browser does not match this one's cookie
    assert (
        c.post("/ui/login", data={"api_key": world.keys["approver"], "login_csrf": token}).status_code == 403
    )
    assert c.get("/ui/inbox", follow_redirects=False).status_code == 303  # still signed out
    assert (
        c.post("/ui/login", data={"api_key": world.keys["approver"], "login_csrf": _token(c)}).status_code
        == 200
    )


def test_flash_messages_come_from_a_fixed_set_of_keys(world: World) -> None:
    page = _signed_in(world, "viewer")
    spoof = page.get("/ui/inbox", params={"flash": "您的密钥已过期，请发送到 evil@example.com"})
    assert spoof.status_code == 200 and "evil@example.com" not in spoof.text
    assert "已保存" in page.get("/ui/inbox", params={"flash": "saved"}).text


@pytest.mark.parametrize(
    "overrides,secure",
    [
        ({}, False),
        ({"environment": "production"}, True),
        ({"session_cookie_secure": True}, True),
        ({"environment": "production", "session_cookie_secure": False}, False),
    ],
)
def test_session_cookie_secure(
    tmp_path_factory: pytest.TempPathFactory, overrides: dict, secure: bool
) -> None:
    for w in build_world(tmp_path_factory.mktemp("cookie"), sales=False, **overrides):
        # behind a TLS proxy the app sees http: the flags must come from the setting
        c = TestClient(w.client.app, base_url="http://testserver")
        form = c.get("/ui/login")
        login_cookie = next(h for h in form.headers.get_list("set-cookie") if h.startswith("fupan_login="))
        assert ("; secure" in login_cookie.lower()) is secure, login_cookie
        token = re.search(r'name="login_csrf" value="([^"]*)"', form.text).group(1)
        c.cookies.clear()
        c.cookies.set("fupan_login", token, path="/ui")  # as the browser behind the proxy sends it back
        r = c.post(
            "/ui/login", data={"api_key": w.keys["viewer"], "login_csrf": token}, follow_redirects=False
        )
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("fupan_session="))
        assert ("; secure" in cookie.lower()) is secure, cookie
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        tls = TestClient(w.client.app, base_url="https://testserver")  # over HTTPS always Secure
        r = tls.post(
            "/ui/login", data={"api_key": w.keys["viewer"], "login_csrf": _token(tls)}, follow_redirects=False
        )
        assert (
            "; secure" in next(h for h in r.headers.get_list("set-cookie") if "fupan_session=" in h).lower()
        )
