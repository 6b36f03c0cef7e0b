"""Deliveries over real HTTP to robots on 127.0.0.1; signatures; failures retried without stopping the run;
two runs at once send every message exactly once; digests and quiet hours."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from taizhang.notify.engine import run
from taizhang.notify.models import Delivery, Notice, Preference, UnitChannel
from taizhang.notify.tests.test_engine import at, quarter  # noqa: F401  (fixture)
from taizhang.testing import child_env, unit

MOMENT = dt.date(2024, 2, 16)  # A is one day overdue: a red notice, reminders to the liaison


class Robot:
    """A webhook server on 127.0.0.1 that records what it receives and answers as told."""

    def __init__(self, status=200, delay=0.0):
        self.requests, self.status, self.delay, self.location = [], status, delay, ""
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.requests.append((self.path, json.loads(body)))
                time.sleep(robot.delay)
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                if robot.location:
                    self.send_header("Location", robot.location)
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}' if robot.status == 200 else b"error")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?access_token=t"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture(autouse=True)
def _robots_on_loopback(settings):
    """The test robots listen on 127.0.0.1: allowed here as an intranet deployment would allow its gateway."""
    settings.TAIZHANG_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.TAIZHANG_WEBHOOK_PRIVATE = True


@pytest.fixture
def robots():
    started = []

    def start(**kwargs):
        robot = Robot(**kwargs)
        started.append(robot)
        return robot

    yield start
    for robot in started:
        robot.close()


@pytest.mark.django_db
def test_robot_payloads_and_signatures(quarter, robots):  # noqa: F811
    wecom, dingtalk, feishu = robots(), robots(), robots()
    lead = unit("市委宣传部")
    UnitChannel.objects.create(unit=lead, kind="wecom", webhook=wecom.url)
    UnitChannel.objects.create(unit=lead, kind="dingtalk", webhook=dingtalk.url, secret="SECdingtalk")
    UnitChannel.objects.create(unit=lead, kind="feishu", webhook=feishu.url, secret="feishu-secret")
    run(at(MOMENT))
    ((path, body),) = wecom.requests
    assert (
        body["msgtype"] == "text"
        and "已逾期1天" in body["text"]["content"]
        and "2024年2月15日" in body["text"]["content"]
    )
    ((path, body),) = dingtalk.requests
    query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECdingtalk", f"{timestamp}\nSECdingtalk".encode(), hashlib.sha256).digest())
    assert sign == expected.decode() and body["msgtype"] == "text"
    ((path, body),) = feishu.requests
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\nfeishu-secret".encode(), b"", hashlib.sha256).digest())
    assert body["msg_type"] == "text" and body["sign"] == expected.decode() and "红灯" in body["content"]["text"]


@pytest.mark.django_db
def test_failing_and_hanging_robots_are_retried_and_do_not_stop_the_run(quarter, robots, settings):  # noqa: F811
    settings.TAIZHANG_WEBHOOK_TIMEOUT = 1
    broken, hanging, good = robots(status=500), robots(delay=3), robots()
    lead = unit("市委宣传部")
    for robot, kind in ((broken, "wecom"), (hanging, "feishu"), (good, "dingtalk")):
        UnitChannel.objects.create(unit=lead, kind=kind, webhook=robot.url)
    run(at(MOMENT))
    assert len(good.requests) == 1
    assert Delivery.objects.get(channel="dingtalk").status == "sent"
    assert Delivery.objects.filter(channel="inbox", status="sent").exists()  # the inbox was not held up
    for kind in ("wecom", "feishu"):
        delivery = Delivery.objects.get(channel=kind)
        assert (delivery.status, delivery.attempts) == ("pending", 1) and delivery.last_error
        assert delivery.not_before > at(MOMENT)  # backed off
    broken.status, hanging.delay = 200, 0  # they recover; the retry goes out once
    run(at(MOMENT) + dt.timedelta(minutes=5))
    assert Delivery.objects.filter(channel__in=["wecom", "feishu"], status="sent").count() == 2
    assert len(good.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_send_every_message_exactly_once(people, robots, settings):
    from taizhang.notify.tests.test_engine import make_quarter

    robot = robots(delay=0.05)
    make_quarter(people)
    UnitChannel.objects.create(unit=unit("市委宣传部"), kind="wecom", webhook=robot.url)
    env = child_env(settings, TAIZHANG_WEBHOOK_HOSTS="127.0.0.1", TAIZHANG_WEBHOOK_PRIVATE="true")
    command = [sys.executable, "-m", "taizhang", "remind", "--now", at(MOMENT).isoformat()]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert len(robot.requests) == Delivery.objects.filter(channel="wecom").count() == 1
    assert not Delivery.objects.exclude(status="sent").exists()
    keys = list(Delivery.objects.values_list("subject_key", "rule", "period", "channel", "recipient_key"))
    assert len(keys) == len(set(keys))
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_digest_user_gets_one_message_a_day(quarter, people):  # noqa: F811
    liaison = people["liaison"]
    liaison.email = "liaison@example.gov.cn"
    liaison.save()
    Preference.objects.create(user=liaison, digest=True)
    run(at(dt.date(2024, 2, 14)))  # A due tomorrow
    run(at(dt.date(2024, 2, 14), hour=10))
    assert len(mail.outbox) == 0  # nothing before the digest hour
    run(at(dt.date(2024, 2, 15), hour=8))  # the digest goes out at 08:00 with everything pending
    assert len(mail.outbox) == 1
    assert "共1项" in mail.outbox[0].body or "共" in mail.outbox[0].body
    run(at(dt.date(2024, 2, 15), hour=9))  # due today: waits for tomorrow's digest
    run(at(dt.date(2024, 2, 16), hour=8))
    assert len(mail.outbox) == 2
    assert "今天是整改时限" in mail.outbox[1].body


@pytest.mark.django_db
def test_quiet_hours_delay_never_drop(quarter, people):  # noqa: F811
    liaison = people["liaison"]
    liaison.email = "liaison@example.gov.cn"
    liaison.save()
    Preference.objects.create(user=liaison, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 30))
    run(at(MOMENT, hour=23))
    assert len(mail.outbox) == 0
    assert Delivery.objects.get(channel="email").status == "pending"
    run(at(MOMENT + dt.timedelta(days=1), hour=7))
    assert len(mail.outbox) == 0
    run(at(MOMENT + dt.timedelta(days=1), hour=8))
    assert any("已逾期1天" in message.body for message in mail.outbox)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://127.0.0.1:6379/",  # a local service
        "https://evil.example/hook",  # not on the allow-list
        "file:///etc/passwd",
    ],
)
def test_robot_addresses_outside_the_allow_list_or_internal_are_refused(people, settings, url):
    from django.core.exceptions import ValidationError

    from taizhang.notify.actions import save_robot
    from taizhang.notify.channels import DeliveryError, post_json

    settings.TAIZHANG_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "127.0.0.1", "169.254.169.254"]
    settings.TAIZHANG_WEBHOOK_PRIVATE = False
    with pytest.raises(ValidationError):
        save_robot(None, {"unit": unit("市委宣传部"), "kind": "wecom", "webhook": url}, by=people["admin"])
    assert not UnitChannel.objects.exists()
    with pytest.raises(DeliveryError):
        post_json(url, {"msgtype": "text"})


def test_robot_redirects_are_not_followed(robots):
    """A robot that answers with a redirect to an internal address does not make the server follow it."""
    from taizhang.notify.channels import DeliveryError, post_json

    target = robots()
    redirector = robots(status=302)
    redirector.location = target.url
    with pytest.raises(DeliveryError):
        post_json(redirector.url, {"msgtype": "text"})
    assert target.requests == []
