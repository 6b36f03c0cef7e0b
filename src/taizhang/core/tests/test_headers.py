"""Security headers on every response, the API's shape behind sign-in, no stack in the Server header."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]


def test_every_page_carries_the_security_headers(clients):
    response = clients["office"].get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Server"] == "taizhang"


def test_api_schema_and_docs_need_sign_in(people):
    anonymous = Client()
    assert anonymous.get("/api/schema/").status_code == 401
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")


def test_the_api_docs_script_is_a_file_not_inline(clients):
    page = clients["office"].get("/api/docs/").content.decode()
    assert "<style>" not in page and "<script>" not in page
    script = clients["office"].get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_with_the_shipped_config_does_not_name_itself(tmp_path):
    """deploy/gunicorn.conf.py renames gunicorn's own Server header (it has no setting for it)."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {"PATH": "/usr/bin:/bin", "TAIZHANG_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    command = [str(gunicorn), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", "-w", "1"]
    server = subprocess.Popen([*command, "taizhang.wsgi"], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=2)
                break
            except urllib.error.HTTPError as answer:  # 401 without a token: an answer all the same
                response = answer
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(server.stderr.read1().decode() if server.poll() is not None else "gunicorn did not start")
        assert response.headers.get_all("Server") == ["taizhang"]
    finally:
        server.kill()
        server.wait(timeout=10)
