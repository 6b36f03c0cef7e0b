"""A running Taizhang for the reliability suite: a fresh database of the suite's kind (SQLite, or a new
PostgreSQL database on the server DATABASE_URL names), a fresh data directory, the demo loaded through
the README's commands, and gunicorn on a free loopback port."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TAIZHANG = [sys.executable, "-m", "taizhang"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Install:
    """A data directory and database, and the environment every command of it runs with."""

    data_dir: Path
    env: dict
    database: str  # "sqlite" or "postgresql"
    drop: list = field(default_factory=list)

    def run(self, *args, check=True, timeout=600) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*TAIZHANG, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        if check:
            assert done.returncode == 0, f"taizhang {' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done


def _postgres_database(url: str) -> tuple[str, callable]:
    """A new, empty database on the server of `url`, and a function that drops it."""
    import psycopg

    name = f"taizhang_rel_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + f"/{name}", drop


def make_install(data_dir: Path, *, demo: bool = True) -> Install:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DJANGO_", "DATABASE_URL"))}
    env |= {"TAIZHANG_VAR_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    url = os.environ.get("DATABASE_URL", "")
    made = Install(data_dir, env, "postgresql" if url.startswith("postgres") else "sqlite")
    if made.database == "postgresql":
        env["DATABASE_URL"], drop = _postgres_database(url)
        made.drop.append(drop)
    if demo:
        made.run("migrate", "--noinput")
        made.run("demo")
    return made


@pytest.fixture
def installs():
    """make(data_dir, demo=...) for as many installations as a test needs; their databases dropped after."""
    made = []

    def make(data_dir, **kwargs):
        made.append(make_install(data_dir, **kwargs))
        return made[-1]

    yield make
    for each in made:
        for drop in each.drop:
            drop()


@pytest.fixture
def install(installs, tmp_path):
    return installs(tmp_path / "data")


@dataclass
class Server:
    install: Install
    url: str
    process: subprocess.Popen
    log_dir: Path
    jobs: list = field(default_factory=list)  # `taizhang worker` processes running the job queue

    def token(self, username: str, password: str = "taizhang-demo") -> str:
        body = json.dumps({"username": username, "password": password}).encode()
        request = urllib.request.Request(
            self.url + "/api/auth/token/", body, headers={"Content-Type": "application/json"}
        )
        return json.loads(urllib.request.urlopen(request).read())["token"]

    def worker_pids(self) -> list[int]:
        """gunicorn's web workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def start_jobs(self) -> subprocess.Popen:
        """A `taizhang worker` for the job queue, as the deployment runs one beside gunicorn."""
        log = (self.log_dir / f"worker-{len(self.jobs)}.log").open("w")
        child = subprocess.Popen(
            [*TAIZHANG, "worker", "--interval", "0.2"], cwd=ROOT, env=self.install.env, stdout=log, stderr=log
        )
        self.jobs.append(child)
        return child

    def stop(self) -> None:
        for child in [self.process, *self.jobs]:
            if child.poll() is None:
                child.terminate()
        for child in [self.process, *self.jobs]:
            child.wait(timeout=30)


def start_server(install: Install, tmp_path: Path, workers: int = 2, *, jobs: bool = True) -> Server:
    port = free_port()
    env = install.env | {"GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers {workers}"}
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "taizhang.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    running = Server(install, url, process, tmp_path)
    if jobs:
        running.start_jobs()
    deadline = time.monotonic() + 60
    while True:  # ready: the database, its migrations, the storage, and (with jobs) a worker
        try:
            urllib.request.urlopen(url + ("/readyz" if jobs else "/healthz"), timeout=2)
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not answer, or not ready"
            time.sleep(0.3)
    return running


@pytest.fixture
def server(install, tmp_path):
    running = start_server(install, tmp_path)
    yield running
    running.stop()
