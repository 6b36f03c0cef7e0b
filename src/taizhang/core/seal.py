"""Sealing the audit chain with a key the database does not hold, and anchoring its head outside it.

The hash chain alone (`audit.py`) names an event edited, removed or moved by anyone who does not
re-hash what follows. Someone with write access to the database can re-hash; they cannot seal:

- every event carries `seal` = HMAC-SHA256(key, "event\\n" + hash), and the head row the same over
  its seq and hash, with `TAIZHANG_AUDIT_KEY` (a file under the data directory by default). An edited
  and re-hashed event, or a head moved back, no longer matches any known key;
- `anchor()` appends the head's seq, hash and seal to an append-only file outside the database (and
  mails it, if configured); `verify_anchors()` checks that every anchored event is still there with that
  hash, so cutting events off the end and moving the head back past an anchor is named.

What this does not protect against: someone who holds the key *and* the database (then only the copies
of the anchors kept elsewhere, such as the e-mails, show a rewrite), and removal of events written after
the last anchor together with an older copy of the head row (anchor often: the reminder loop does daily,
and every backup should).
"""

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail


def _keys() -> list[bytes]:
    return [k.encode() for k in [settings.TAIZHANG_AUDIT_KEY, *settings.TAIZHANG_AUDIT_OLD_KEYS]]


def key_id(key: bytes | None = None) -> str:
    """A short fingerprint naming the key (not revealing it), written with each anchor."""
    return hashlib.sha256(key or _keys()[0]).hexdigest()[:12]


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def event_sealer():
    """A function hash → seal with the current key (imports seal tens of thousands of events)."""
    key = _keys()[0]
    prefix = hmac.new(key, b"event\n", hashlib.sha256)

    def seal(hash_: str) -> str:
        mac = prefix.copy()
        mac.update(hash_.encode())
        return mac.hexdigest()

    return seal


def seal_event(hash_: str) -> str:
    return event_sealer()(hash_)


def seal_head(seq: int, hash_: str) -> str:
    return _mac(_keys()[0], f"head\n{seq}\n{hash_}")


def _valid(seal: str, text: str) -> bool:
    return bool(seal) and any(hmac.compare_digest(seal, _mac(k, text)) for k in _keys())


def event_seal_valid(hash_: str, seal: str) -> bool:
    return _valid(seal, f"event\n{hash_}")


def head_seal_valid(seq: int, hash_: str, seal: str) -> bool:
    return _valid(seal, f"head\n{seq}\n{hash_}")


# --- anchors ------------------------------------------------------------------------------------------
@dataclass
class Anchor:
    at: str
    seq: int
    hash: str
    key: str
    seal: str

    @property
    def valid(self) -> bool:
        return _valid(self.seal, f"anchor\n{self.seq}\n{self.hash}")


def anchor(seq: int, hash_: str) -> Anchor:
    """Append the head to the anchor file (opened for appending only, flushed to disk), and mail it."""
    key = _keys()[0]
    made = Anchor(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seq=seq,
        hash=hash_,
        key=key_id(key),
        seal=_mac(key, f"anchor\n{seq}\n{hash_}"),
    )
    path = settings.TAIZHANG_AUDIT_ANCHOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(made.__dict__, sort_keys=True) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if settings.TAIZHANG_AUDIT_ANCHOR_EMAIL:
        send_mail(
            f"【台账】审计链锚点 #{seq}",
            f"审计链锚点（请保存本邮件，用于核对审计记录未被改写）：\n{line}",
            None,
            settings.TAIZHANG_AUDIT_ANCHOR_EMAIL,
        )
    return made


def read_anchors() -> tuple[list[Anchor], list[str]]:
    """The anchors in the file, and a problem for each line that is not one."""
    path = settings.TAIZHANG_AUDIT_ANCHOR_FILE
    if not path.exists():
        return [], []
    anchors, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor(**json.loads(line)))
        except (ValueError, TypeError):
            problems.append(f"line {number} of {path.name} is not an anchor")
    return anchors, problems
