"""Sending one message through one channel. Robots get short Chinese text over HTTP JSON.

DingTalk and Feishu sign requests when a secret is configured (see PLATFORM-NOTES): DingTalk puts
`timestamp` (ms) and `sign` in the query string, Feishu puts `timestamp` (s) and `sign` in the body.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

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


def webhook_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why the server must not post to this address, or None.

    The robot's address is typed by an administrator and fetched by the server: without a limit it is
    a way to make the server reach anything on its network (SSRF). Only hosts on the configured
    allow-list are accepted, and an address that resolves to a private, loopback or link-local network
    only where the deployment allows it (an intranet robot gateway). Saving checks the list and literal
    addresses; every send resolves the name again, so a name later pointed inward is caught.
    """
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return _("The webhook must be an http(s) address.")
    allowed = [h.lower() for h in settings.TAIZHANG_WEBHOOK_HOSTS]
    if not any(host == h or (h.startswith(".") and host.endswith(h)) for h in allowed):
        return _("The host %(host)s is not on the robot allow-list (TAIZHANG_WEBHOOK_HOSTS).") % {"host": host}
    try:
        addresses = {str(ipaddress.ip_address(host.strip("[]")))}
    except ValueError:
        addresses = set()
    if resolve and not addresses:  # on saving, a name is only checked against the list (no DNS needed)
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return _("The host %(host)s cannot be resolved.") % {"host": host}
        addresses = {info[4][0] for info in infos}
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        internal = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
        if (internal or ip.is_unspecified) and not settings.TAIZHANG_WEBHOOK_PRIVATE:
            return _("The host %(host)s resolves to an internal address (%(ip)s).") % {"host": host, "ip": address}
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot answers; it never sends the server elsewhere (a redirect would bypass the allow-list)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: dict) -> None:
    problem = webhook_problem(url)
    if problem:
        raise DeliveryError(problem)
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener.open(request, timeout=settings.TAIZHANG_WEBHOOK_TIMEOUT) as response:
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


def outside_text(delivery) -> str:
    """A message as it leaves the product: its text, and the link on a line of its own (the inbox shows
    the link as a button instead)."""
    return f"{delivery.text}\n{delivery.link}" if delivery.link else delivery.text


def send(delivery) -> None:
    """Deliver or raise DeliveryError. The inbox needs no sending: the delivery row is the inbox item."""
    if delivery.channel == Channel.INBOX:
        return
    if delivery.channel == Channel.EMAIL:
        if not delivery.user.email:
            raise DeliveryError("the recipient has no e-mail address")
        try:
            first = delivery.text.splitlines()[0]
            tag = first[: first.index("】") + 1] if first.startswith("【") and "】" in first else "【台账】"
            subject = first.removeprefix(tag)[:60]
            send_mail(f"{tag}{subject}", outside_text(delivery), None, [delivery.user.email])
        except Exception as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return
    robot = delivery.robot
    url, body = robot_request(robot.kind, robot.webhook, robot.secret, outside_text(delivery))
    post_json(url, body)
