"""The deployment guide's steps, run as written on a fresh data directory, give a server that serves.

Only what cannot run in a test is changed: the data directory is a temporary one, the host name is the
loopback, gunicorn binds a free port with one worker, and the two long-running commands run in the
background until the checks are done.
"""

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deployment.md"
LONG_RUNNING = ("gunicorn", "--loop", "taizhang worker")


def guide_steps() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"<!-- steps:begin -->\s*```sh\n(.*?)```\s*<!-- steps:end -->", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def served(tmp_path):
    """Run every step; yield the base URL and the administrator's password from the guide."""
    data_dir = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DATABASE_URL", "DJANGO_"))}
    env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port} --workers 1"
    background, password = [], None
    try:
        for step in guide_steps():
            step = step.replace("/srv/taizhang", str(data_dir)).replace("taizhang.example.gov.cn", "127.0.0.1")
            if step.startswith("export "):
                name, value = step.removeprefix("export ").split("=", 1)
                env[name] = shlex.split(value)[0]
                continue
            if found := re.search(r"TAIZHANG_ADMIN_PASSWORD='([^']+)'", step):
                password = found.group(1)
            if any(word in step for word in LONG_RUNNING):
                log = (tmp_path / f"bg{len(background)}.log").open("w")
                background.append(subprocess.Popen(["bash", "-c", step], cwd=ROOT, env=env, stdout=log, stderr=log))
                continue
            done = subprocess.run(["bash", "-c", step], cwd=ROOT, env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{step}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/readyz")  # the database, migrations, storage and a worker: all there
        yield base, password, data_dir
    finally:
        for process in background:
            process.terminate()
            process.wait(timeout=20)


def test_the_guide_gives_a_working_server(served):
    base, password, data_dir = served
    assert (data_dir / "taizhang.sqlite3").is_file() and not (data_dir / "static").exists()
    page = urllib.request.urlopen(base + "/login/").read().decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), "hashed names from the collected manifest"
    assert urllib.request.urlopen(base + stylesheet).status == 200
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "admin", "password": password})
    request = urllib.request.Request(base + "/login/", body.encode(), headers={"Referer": base + "/"})
    home = opener.open(request)
    assert home.status == 200 and home.url.rstrip("/") == base and "系统管理员" in home.read().decode()
