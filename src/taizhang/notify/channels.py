"""Sending one message through one channel. Robots get short Chinese text over HTTP JSON.

DingTalk and Feishu sign requests when a secret is configured (see PLATFORM-NOTES): DingTalk puts
`timestamp` (ms) and `sign` in the query string, Feishu puts `timestamp` (s) and `sign` in the body.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from taizhang.notify.models import Channel


class DeliveryError(Exception):
    pass


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def robot_request(kind: str, webhook: str, secret: str, text: str) -> tuple[str, dict]:
    """The URL and JSON body a robot expects."""
    if kind == Channel.WECOM:
        return webhook, {"msgtype": "text", "text": {"content": text}}
    if kind == Channel.DINGTALK:
        url = webhook
        if secret:
            timestamp = int(time.time() * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
        return url, {"msgtype": "text", "text": {"content": text}}
    body = {"msg_type": "text", "content": {"text": text}}
    if secret:
        timestamp = int(time.time())
        body |= {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)}
    return webhook, body


def post_json(url: str, body: dict) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.TAIZHANG_WEBHOOK_TIMEOUT) as response:
            payload = response.read(65536)
    except Exception as exc:  # connection refused, timeout, HTTP 5xx: all retried later
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    try:
        answer = json.loads(payload or b"{}")
    except ValueError:
        return
    code = answer.get("errcode", answer.get("code", 0))
    if code not in (0, None):
        raise DeliveryError(f"robot refused the message: {answer}")


def send(delivery) -> None:
    """Deliver or raise DeliveryError. The inbox needs no sending: the delivery row is the inbox item."""
    if delivery.channel == Channel.INBOX:
        return
    if delivery.channel == Channel.EMAIL:
        if not delivery.user.email:
            raise DeliveryError("the recipient has no e-mail address")
        try:
            subject = delivery.text.splitlines()[0].removeprefix("【台账督办】")[:60]
            send_mail(f"【台账督办】{subject}", delivery.text, None, [delivery.user.email])
        except Exception as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return
    robot = delivery.robot
    url, body = robot_request(robot.kind, robot.webhook, robot.secret, delivery.text)
    post_json(url, body)
