"""/healthz and /readyz as a load balancer or systemd sees them: any host, no session, no data."""

import re
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from taizhang.core import views, workers


def probe(client, path, **extra):
    return client.get(path, HTTP_HOST="10.20.30.40:8000", **extra)  # a backend's address, not a host name


@pytest.mark.django_db
def test_healthz_answers_any_host_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = probe(client, "/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and "no-store" in response["Cache-Control"]
    assert client.post("/healthz", HTTP_HOST="10.20.30.40").status_code == 405


@pytest.mark.django_db
def test_readyz_checks_the_database_migrations_and_storage(client):
    with CaptureQueriesContext(connection) as queries:
        response = probe(client, "/readyz")
    writes = [q["sql"] for q in queries.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok"},  # jobs run inline here: no worker needed
    }
    assert writes == []  # a probe writes nothing to the database


@pytest.mark.django_db
def test_readyz_names_what_is_wrong(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(views.default_storage, "save", refuse)
    response = probe(client, "/readyz")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "not writable"
    monkeypatch.undo()

    monkeypatch.setattr(views, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("app", "0002_new")])
    response = probe(client, "/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "1 not applied"


@pytest.mark.django_db(transaction=True)
def test_readyz_wants_a_running_worker_when_jobs_go_to_the_queue(client, settings):
    settings.TAIZHANG_JOBS = "queue"
    response = probe(client, "/readyz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "no worker running"
    with workers.started() as worker:  # this process announces itself and holds the worker's lock
        assert [w.pk for w in workers.live_workers()] == [worker.pk]
        response = probe(client, "/readyz")
        assert response.status_code == 200 and response.json()["checks"]["worker"] == "ok"
    assert workers.live_workers() == []  # stopped: the lock is free again
    assert probe(client, "/readyz").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_lock_with_the_database_connection_takes_it_again():
    """PostgreSQL ends the lock's connection on a restart (or an administrator's pg_terminate_backend):
    the worker takes its lock again before its next claim, so no one fails the jobs it runs."""
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the lock is a file lock held by the process itself")
    with workers.started() as worker:
        pid = worker.liveness._held.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while workers.alive(worker.pk):
            assert time.monotonic() < deadline, "the lock outlived its connection"
        worker.liveness.ensure()
        assert workers.alive(worker.pk) and worker.liveness._held.info.backend_pid != pid


@pytest.mark.django_db(transaction=True)
def test_a_worker_of_another_database_on_the_same_server_is_not_this_ones():
    """Advisory locks are listed for the whole server: the same worker row id locked in another
    database (a second installation, a staging copy) does not make this database's worker alive,
    so its stuck jobs are still recovered."""
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the lock is a file beside this database")
    import psycopg

    params = workers._pg_params() | {"dbname": "postgres"}  # the server's own database, not the test one
    assert params["dbname"] != connection.settings_dict["NAME"]
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [workers.LOCK_CLASS, 987654])
        assert not workers.alive(987654)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [workers.LOCK_CLASS, 987654])
        try:
            assert workers.alive(987654)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [workers.LOCK_CLASS, 987654])
