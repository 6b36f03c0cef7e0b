"""Processes killed with -9 in the middle of their work: afterwards nothing is half-written, the work is
picked up again, and `verify_audit` (hash links, seals, anchors, every object against its history)
passes. The import killed mid-write is in src/taizhang/sheets/tests/test_recovery.py."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.core.management import call_command

from taizhang.core.audit import verify_chain
from taizhang.notify.models import Delivery, UnitChannel
from taizhang.notify.tests.test_channels import MOMENT, robots  # noqa: F401  (fixture)
from taizhang.notify.tests.test_engine import at, make_quarter
from taizhang.testing import child_env, unit


@pytest.mark.django_db(transaction=True)
def test_remind_killed_while_sending_is_retried_by_the_next_run(people, robots, settings):  # noqa: F811
    settings.TAIZHANG_WEBHOOK_HOSTS, settings.TAIZHANG_WEBHOOK_PRIVATE = ["127.0.0.1"], True
    robot = robots(delay=30)  # the robot hangs: the run is killed while it waits
    make_quarter(people)
    UnitChannel.objects.create(unit=unit("市委宣传部"), kind="wecom", webhook=robot.url)
    env = child_env(settings, TAIZHANG_WEBHOOK_HOSTS="127.0.0.1", TAIZHANG_WEBHOOK_PRIVATE="true")
    command = [sys.executable, "-m", "taizhang", "remind", "--now", at(MOMENT).isoformat()]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not robot.requests:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the run never reached the robot"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    stuck = Delivery.objects.filter(channel="wecom")
    assert [d.status for d in stuck] == ["sending"]  # claimed by the dead run
    assert verify_chain().ok

    robot.delay = 0
    call_command("remind", "--now", at(MOMENT).isoformat())
    assert stuck.get().status == "sending"  # a fresh claim is left alone: its run may still be working
    Delivery.objects.filter(status="sending").update(claimed_at=at(MOMENT).replace(year=2000))  # as if time passed
    call_command("remind", "--now", at(MOMENT).isoformat())
    assert stuck.get().status == "sent" and len(robot.requests) == 2  # retried once: at least once, not lost
    assert not Delivery.objects.exclude(status="sent").exists()
    # (not --objects: make_quarter backdates its tasks' activity and state in SQL to build a past quarter)
    assert verify_chain().ok


class Browser:
    """The office in a browser: forms with their CSRF token, uploads, pages."""

    def __init__(self, base: str):
        self.base, self.opener = base, urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def page(self, path: str) -> str:
        return self.opener.open(self.base + path).read().decode()

    def form(self, path, fields, files=None, *, on=None):
        """Post `fields` to `path` as the form on page `on` (by default `path` itself) would."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page(on or path))
        fields = {"csrfmiddlewaretoken": token.group(1), **fields}
        if files:
            boundary = "----taizhang"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()
            ]
            body = "".join(parts).encode()
            for name, (filename, data) in files.items():
                head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n\r\n'
                body += head.encode() + data + b"\r\n"
            body += f"--{boundary}--\r\n".encode()
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        else:
            body, headers = urllib.parse.urlencode(fields).encode(), {}
        request = urllib.request.Request(self.base + path, body, headers={"Referer": self.base + "/", **headers})
        return self.opener.open(request)

    def confirm_import(self, title: str, rows: int) -> str:
        """Upload a ledger of `rows` measures and confirm it; returns the preview's path."""
        self.form("/login/", {"username": "office", "password": "taizhang-demo"})
        lines = "\n".join(f"{i},问题{i},措施{i},市委办公室,2030年底前" for i in range(1, rows + 1))
        data = ("序号,问题描述,整改措施,牵头单位,整改时限\n" + lines).encode()
        done = self.form(
            "/sheets/import/",
            {"kind": "tour", "title": title, "feedback_date": "2026-01-05"},
            {"file": ("大台账.csv", data)},
        )
        preview = urllib.parse.urlparse(done.url).path
        assert re.fullmatch(r"/sheets/import/\d+/", preview), done.url
        self.form(preview, {"do": "confirm"})
        return preview

    def wait_until_writing(self, preview: str) -> None:
        deadline = time.monotonic() + 120
        while 'id="import-done"' not in (page := self.page(preview + "progress/")):
            done_rows = re.search(r"(\d+) / (\d+)", page)
            if done_rows and int(done_rows.group(1)) >= 2000:
                return
            assert time.monotonic() < deadline, "the import never got going"
            time.sleep(0.1)
        pytest.fail("the import finished before it could be interrupted; give it more rows")


def ledger_state(server, title: str) -> list[str]:
    shell = server.install.run(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from taizhang.rectification.models import Source; from taizhang.sheets.models import ImportJob; "
        f"job = ImportJob.objects.get(title='{title}'); "
        f"print(job.status, Source.objects.filter(title='{title}').count())",
    )
    return shell.stdout.split()


def test_an_import_job_survives_a_web_restart(server):
    """The office confirms an import; every web worker is killed while the job worker writes it."""
    browser = Browser(server.url)
    preview = browser.confirm_import("网页重启时的导入", 40_000)
    browser.wait_until_writing(preview)
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)  # gunicorn's master starts new web workers; the job runs elsewhere
    deadline = time.monotonic() + 300
    while True:
        try:
            if 'id="import-done"' in browser.page(preview + "progress/"):
                break
        except OSError:
            pass  # the new web workers are still starting
        assert time.monotonic() < deadline, "the import did not finish after the web restart"
        time.sleep(0.3)
    assert ledger_state(server, "网页重启时的导入") == ["done", "1"]


def test_job_worker_killed_mid_import_leaves_nothing_and_is_recovered(server):
    """The office confirms an import in the browser; the job worker running it is killed with -9."""
    browser = Browser(server.url)
    preview = browser.confirm_import("中断的网页导入", 40_000)
    browser.wait_until_writing(preview)
    (worker,) = server.jobs
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert ledger_state(server, "中断的网页导入") == ["running", "0"]  # nothing of the ledger was committed
    assert 'id="import-stale"' in browser.page(preview + "progress/")  # its worker's lock is gone: said at once
    server.install.run("cleanup")  # (the reminder loop and every other worker do the same)
    page = browser.page(preview + "progress/")
    assert (
        'id="import-failed"' in page
        and "导入已中断" in page
        and "未导入任何数据" in page
        and 'id="retry-import"' in page
    )
    browser.form(preview + "retry/", {}, on=preview + "progress/")
    server.start_jobs()
    browser.form(preview, {"do": "confirm"})
    deadline = time.monotonic() + 300
    while 'id="import-done"' not in browser.page(preview + "progress/"):
        assert time.monotonic() < deadline, "the retried import did not finish"
        time.sleep(0.3)
    assert ledger_state(server, "中断的网页导入") == ["done", "1"]
    check = server.install.run("verify_audit", "--objects")
    assert "Objects match their audit history" in check.stdout
