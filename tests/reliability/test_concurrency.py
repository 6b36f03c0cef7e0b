"""Writers at once, on SQLite and PostgreSQL: no lost update, every loser told (409 with the current
version), and the audit chain and every object's history intact afterwards."""

import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.sheets import actions as sheet_actions
from taizhang.sheets.models import ImportJob, ImportStatus
from taizhang.tasks.models import Task
from taizhang.testing import import_in_child


def call(server, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data, method=method)
    request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def at_once(calls):
    """Run the calls in threads released together; their results in order."""
    results, gate = [None] * len(calls), threading.Barrier(len(calls))

    def run(i, fn):
        gate.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_eight_writers_on_one_task_and_a_double_close_out(server):
    liaison, office = server.token("liaison"), server.token("office")
    status, page = call(server, liaison, "GET", "/api/tasks/?status=in_progress&page_size=50")
    task = next(t for t in page["results"] if t["lead_unit_name"] == "市委宣传部")
    path, version = f"/api/tasks/{task['id']}", task["version"]

    writers = [
        (lambda who=who, i=i: _progress(server, who, path, f"并发进展{i}", version))
        for i, who in enumerate([liaison, office] * 4)
    ]
    results = at_once(writers)
    codes = sorted(code for code, _body in results)
    assert codes == [200] + [409] * 7, results
    assert all(body["current_version"] == version + 1 for code, body in results if code == 409)
    winner = next(body for code, body in results if code == 200)
    _code, now = call(server, liaison, "GET", f"{path}/")
    assert now["version"] == version + 1 and now["latest_progress"] == winner["latest_progress"]

    apply = {"action": "apply_close", "version": now["version"]}
    results = at_once([lambda: call(server, liaison, "POST", f"{path}/transition/", apply)] * 2)
    assert sorted(code for code, _ in results) == [200, 409], results
    _code, after = call(server, liaison, "GET", f"{path}/")
    assert after["status"] == "applied" and after["version"] == now["version"] + 1
    check = server.install.run("verify_audit", "--objects")
    assert "Objects match their audit history" in check.stdout


def test_writers_on_many_tasks_at_once_leave_the_maintained_counts_exact(server):
    """Two server processes, eight writers on eight tasks of one unit that share the dashboard's count
    rows: every write lands, and the counts equal a recount afterwards."""
    liaison = server.token("liaison")
    tasks = []
    for status in ("in_progress", "not_started"):
        _code, page = call(server, liaison, "GET", f"/api/tasks/?status={status}&page_size=50")
        tasks += [t for t in page["results"] if t["lead_unit_name"] == "市委宣传部"]  # the liaison's own
    tasks = tasks[:8]
    assert len(tasks) == 8

    def step(task):
        action = "apply_close" if task["status"] == "in_progress" else "start"
        body = {"action": action, "version": task["version"]}
        return lambda: call(server, liaison, "POST", f"/api/tasks/{task['id']}/transition/", body)

    results = at_once([step(task) for task in tasks])
    assert [code for code, _ in results] == [200] * 8, results
    assert [body["version"] for _, body in results] == [task["version"] + 1 for task in tasks]
    server.install.run("rebuild_aggregates", "--check")  # exits 1 naming each difference


def _progress(server, token, path, text, version, files=()):
    """A progress report as multipart, the way the API takes it; `files` are (name, bytes)."""
    boundary = "----taizhang"
    parts = [("text", text), ("version", str(version))]
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in parts)
    body = body.encode()
    for name, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'
        body += head.encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(server.url + f"{path}/progress/", body, method="POST")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.django_db(transaction=True)
def test_two_imports_into_one_ledger_at_once_add_each_row_once(people, ledger, settings, tmp_path):
    from openpyxl import load_workbook

    from taizhang.sheets.export import write_xlsx

    path = tmp_path / "ledger.xlsx"
    write_xlsx(ledger, path)
    book = load_workbook(path)
    sheet = book.active
    row = sheet.max_row + 1
    for column, value in enumerate(["99", "新类别", "新发现的问题", "新的整改措施", "", "", "市委宣传部"], 1):
        sheet.cell(row=row, column=column).value = value
    sheet.cell(row=row, column=10).value = "2030年底前"
    book.save(path)
    office = people["office"]
    jobs = [
        sheet_actions.start_import(SimpleUploadedFile(f"台账{i}.xlsx", path.read_bytes()), by=office, source=ledger)
        for i in range(2)
    ]
    children = [import_in_child(job, office, settings) for job in jobs]
    outputs = [child.communicate(timeout=300) for child in children]
    assert [c.returncode for c in children] == [0, 0], outputs
    assert [ImportJob.objects.get(pk=j.pk).status for j in jobs] == [ImportStatus.DONE] * 2
    results = sorted(ImportJob.objects.get(pk=j.pk).result["created"] for j in jobs)
    assert results == [0, 1]  # the second import found the first one's row
    assert Task.objects.filter(source=ledger).count() == 20
    assert Task.objects.filter(source=ledger, measure="新的整改措施").count() == 1
    assert verify_chain().ok and verify_objects().ok


def test_the_core_loop_through_two_servers_on_one_database(install, tmp_path):
    """Two app servers on one database and one data directory, as behind a load balancer: the liaison
    works on one, the unit head and the office on the other; each sees the other's writes at once, a
    file uploaded through one downloads through the other, the stale writer gets 409 on either, and
    both serve the same page."""
    from tests.reliability.conftest import start_server

    for name in "ab":
        (tmp_path / name).mkdir()
    first = start_server(install, tmp_path / "a", workers=1)
    second = start_server(install, tmp_path / "b", workers=1, jobs=False)
    try:
        liaison, head, office = first.token("liaison"), second.token("unithead"), second.token("office")
        _status, page = call(first, liaison, "GET", "/api/tasks/?status=in_progress&page_size=50")
        task = next(t for t in page["results"] if t["lead_unit_name"] == "市委宣传部")
        path, version = f"/api/tasks/{task['id']}", task["version"]

        code, reported = _progress(first, liaison, path, "两台服务器上的进展", version, [("证明.txt", "材料".encode())])
        assert code == 200, reported
        _code, seen = call(second, office, "GET", f"{path}/")  # the other server, at once
        assert seen["version"] == version + 1 and seen["latest_progress"] == "两台服务器上的进展"
        stale = _progress(second, office, path, "过期的写入", version)  # the version read before the report
        assert stale[0] == 409 and stale[1]["current_version"] == version + 1

        steps = [
            (first, liaison, "apply_close"),
            (second, head, "confirm"),
            (second, office, "verify"),
        ]
        current = version + 1
        for server, token, action in steps:
            code, body = call(server, token, "POST", f"{path}/transition/", {"action": action, "version": current})
            assert code == 200, (action, body)
            current = body["version"]
        _code, closed = call(first, liaison, "GET", f"{path}/")
        assert closed["status"] == "closed" and closed["version"] == current

        browsers = [(_signed_in(server, "office"), server) for server in (first, second)]
        pages = [_page(opener, server, f"/ledger/tasks/{task['id']}/") for opener, server in browsers]
        assert pages[0] == pages[1] and "两台服务器上的进展" in pages[0]
        link = re.search(r'href="(/ledger/evidence/\d+/)">证明\.txt<', pages[0]).group(1)
        opener, server = browsers[1]
        assert opener.open(server.url + link).read() == "材料".encode()  # uploaded through the first server
        check = install.run("verify_audit", "--objects")
        assert "Objects match their audit history" in check.stdout
        install.run("rebuild_aggregates", "--check")  # two servers' writes, each counted once
    finally:
        first.stop()
        second.stop()


def _signed_in(server, username):
    """A browser session of `username` on `server` (an opener keeping its cookies)."""
    import urllib.parse
    from http.cookiejar import CookieJar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login = opener.open(server.url + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": "taizhang-demo"})
    opener.open(urllib.request.Request(server.url + "/login/", body.encode(), headers={"Referer": server.url + "/"}))
    return opener


def _page(opener, server, path) -> str:
    """A page with the per-request CSRF tokens taken out."""
    page = opener.open(server.url + path).read().decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1…", page)
