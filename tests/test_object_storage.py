"""Files on the local disk and in S3-compatible object storage (an S3 server started here on loopback):
evidence uploaded, downloaded within scope and refused outside it, a ledger imported from a stored
upload, housekeeping that lists the store, and the files part of backup → wipe → restore. The same
tests run on both; only the storage differs."""

import datetime as dt
import hashlib
import socket

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from taizhang.core import backup
from taizhang.core.models import StoredFile
from taizhang.sheets import actions as sheet_actions
from taizhang.sheets.models import ImportStatus
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Task
from taizhang.testing import client_for

pytestmark = pytest.mark.django_db
KEYS = {"access_key": "taizhang-test", "secret_key": "taizhang-test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request, settings):
    """'local', or 's3' with the default storage in a fresh private bucket of the loopback server."""
    if request.param == "s3":
        from botocore.config import Config

        endpoint = request.getfixturevalue("s3_server")
        bucket = f"taizhang-{request.node.name.split('[')[0][-20:].replace('_', '-')}"
        credentials = {"aws_access_key_id": KEYS["access_key"], "aws_secret_access_key": KEYS["secret_key"]}
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
        client.create_bucket(Bucket=bucket)
        config = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required")
        settings.STORAGES = settings.STORAGES | {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": bucket, "endpoint_url": endpoint, "region_name": "us-east-1", **KEYS}
                | {"default_acl": None, "file_overwrite": False, "client_config": config},
            }
        }
        request.node.bucket = (client, bucket)
    yield request.param


def objects(request) -> list[str]:
    client, bucket = request.node.bucket
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_evidence_is_stored_served_within_scope_and_refused_outside(storage, people, ledger, request):
    task = Task.objects.filter(lead_unit__name="市委宣传部", status="in_progress").first()
    pdf = b"%PDF-1.4 \xe6\x95\xb4\xe6\x94\xb9\xe6\x9d\x90\xe6\x96\x99 " + bytes(range(256)) * 40
    upload = SimpleUploadedFile("整改材料.pdf", pdf)
    task_actions.report_progress(task, by=people["liaison"], text="附材料", uploads=[upload], version=task.version)
    evidence = task.progress_reports.last().evidence.get()
    if storage == "s3":
        assert objects(request) == [evidence.file.storage_name]  # in the bucket, under its checksum
        client, bucket = request.node.bucket
        grants = client.get_object_acl(Bucket=bucket, Key=evidence.file.storage_name)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner's only: nothing public
    response = client_for(people["liaison"]).get(f"/ledger/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert "attachment" in response["Content-Disposition"]
    assert client_for(people["westliaison"]).get(f"/ledger/evidence/{evidence.pk}/").status_code == 404


def test_a_ledger_is_imported_from_its_stored_upload(storage, people, request):
    rows = "\n".join(f"{i},问题{i},措施{i},市委办公室,2030年底前" for i in range(1, 301))
    data = SimpleUploadedFile("台账.csv", ("序号,问题描述,整改措施,牵头单位,整改时限\n" + rows).encode("gb18030"))
    job = sheet_actions.start_import(
        data, by=people["office"], title="对象存储中的台账", feedback_date=dt.date(2026, 1, 5)
    )
    if storage == "s3":
        assert objects(request) == [job.storage_name]
    job = sheet_actions.run_import(job, by=people["office"], background=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Task.objects.filter(source__title="对象存储中的台账").count() == 300
    assert job.file_removed and not default_storage.exists(job.storage_name)  # imported: the upload is gone
    if storage == "s3":
        assert objects(request) == []  # the progress file too


def test_housekeeping_and_backup_restore_of_the_files(storage, people, ledger, request, tmp_path, capsys):
    from django.core.files.base import ContentFile

    for n, task in enumerate(Task.objects.filter(status="in_progress")[:3]):
        upload = SimpleUploadedFile(f"材料{n}.pdf", b"%PDF-1.4 " + str(n).encode() * 500)
        task_actions.report_progress(task, by=people["office"], text=f"材料{n}", uploads=[upload], version=task.version)
    stray = default_storage.save("files/ab/cd/" + "ab" * 32, ContentFile(b"referenced by nothing"))
    call_command("cleanup")
    assert not default_storage.exists(stray)  # listed and removed through the storage API
    stored = {f.storage_name: f.sha256 for f in StoredFile.objects.all()}
    assert len(stored) == 3

    backup._save_files(tmp_path / "backup" / "media")
    for name in stored:
        default_storage.delete(name)  # the store wiped
    assert not any(default_storage.exists(name) for name in stored)
    backup._restore_files(tmp_path / "backup" / "media")
    for name, sha in stored.items():
        with default_storage.open(name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == sha  # every file back, byte for byte
    if storage == "s3":
        assert objects(request) == sorted(stored)
