"""The cache by configuration: on the database or on Redis (a server started here on loopback), two
handles — as two app servers would hold — see each other's entries; a bad value stops start-up (settings tests)."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command


def _shared(make):
    one, two = make(), make()
    one.set("figure", {"overdue": 3}, 60)
    assert two.get("figure") == {"overdue": 3}
    two.delete("figure")
    assert one.get("figure") is None


@pytest.mark.django_db(transaction=True)
def test_database_cache_is_shared(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "taizhang_cache"}
    }
    call_command("createcachetable", verbosity=0)
    _shared(lambda: DatabaseCache("taizhang_cache", {}))


def test_redis_cache_is_shared(tmp_path):
    server_binary = shutil.which("redis-server")
    assert server_binary, "redis-server is needed (Debian package redis-server)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [server_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as knock:
                if knock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        _shared(lambda: RedisCache(f"redis://127.0.0.1:{port}/0", {}))
    finally:
        server.terminate()
        server.wait(10)
