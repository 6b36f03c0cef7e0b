"""The sign-in platform the SSO tests talk to: tests/sso/provider under gunicorn on a free loopback port,
started once for the module that needs it, with the people given here."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_SECRET = "taizhang-oidc-secret-for-tests"
CALLBACK = "http://testserver/sso/oidc/callback/"

PEOPLE = {
    # A platform that sends one attribute holding JSON (as many Chinese 统一身份认证 platforms do).
    "zhangsan": {
        "password": "pw-zhangsan",
        "attributes": {"userInfo": json.dumps({"name": "张三", "deptCode": "XC-001", "roles": ["liaison"]})},
    },
    # Plain attributes, and a 工号 claim for OIDC.
    "lisi": {
        "password": "pw-lisi",
        "attributes": {"cn": "李四", "deptCode": "XC-001", "memberOf": ["jw-office"], "employee_no": "E20031"},
    },
    "wangwu": {"password": "pw-wangwu", "attributes": {"cn": "王五", "deptCode": "XC-001", "memberOf": []}},
    "zhaoliu": {
        "password": "pw-zhaoliu",
        "attributes": {"cn": "赵六", "deptCode": "NO-SUCH", "memberOf": ["jw-office"]},
    },
    "admin": {"password": "pw-admin", "attributes": {"cn": "冒名", "memberOf": ["jw-office"], "employee_no": "admin"}},
    "sunqi": {"password": "pw-sunqi", "attributes": {"cn": "孙七", "memberOf": ["jw-office"], "employee_no": "E20077"}},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """The base URL of a running CAS server and OIDC provider."""
    data = tmp_path_factory.mktemp("provider")
    (data / "people.json").write_text(json.dumps(PEOPLE, ensure_ascii=False), encoding="utf-8")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (data / "oidc.key").write_bytes(pem)
    env = {**os.environ, "SSO_PROVIDER_DIR": str(data), "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings"}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "tests.sso.provider.bootstrap", CLIENT_SECRET, CALLBACK], env=env, cwd=ROOT, check=True
    )
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(data / "gunicorn.log", "wb")  # noqa: SIM115 - kept open for the server's life
    server = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "tests.sso.provider.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{base}/accounts/login/", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.05)
    else:
        server.kill()
        raise RuntimeError((data / "gunicorn.log").read_text())
    yield base
    server.terminate()
    server.wait(10)
    log.close()


def hidden_fields(html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1).replace("&amp;", "&") if value else ""
    return fields


def local(url: str) -> str:
    """The path and query of a URL on the app under test (the test client's side of a redirect)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
