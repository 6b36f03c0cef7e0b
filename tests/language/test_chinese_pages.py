"""Chinese everywhere: every page every persona can open (the permission matrix's GETs, error pages
included) shows no English words outside a short list of codes, units and file types, and the Chinese
catalogue leaves no English msgid untranslated."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from taizhang.org.models import User
from taizhang.testing import ALL_PERSONAS, client_for
from tests.security.test_matrix import cases
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "taizhang"
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# ASCII a Chinese office reads as it is: file types, units of measure, product and protocol names.
ALLOWED = {
    "xlsx",
    "xls",
    "docx",
    "pdf",
    "csv",
    "ods",
    "txt",
    "tsv",
    "zip",
    "PDF",
    "Excel",
    "WPS",
    "CSV",
    "MB",
    "KB",
    "API",
    "URL",
    "ID",
    "English",
    "Outlook",  # the calendar product named where the feed is subscribed to
    "LEC",  # the 作业条件危险性评价法 is called LEC 法 in every Chinese safety manual
    "WeCom",
    "DingTalk",
    "Feishu",
    "UTF",
    "GB",
    "GBK",
    "Word",
    "HTTP",
    "HTTPS",
    "http",
    "https",
    "SMTP",
    "IP",
    "No",
    "Webhook",
}
# Pages for programs, not people: the API and its documentation (Swagger's own interface).
SKIPPED = ("/api/",)
WORD = re.compile(r"[A-Za-z][A-Za-z']+")
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class VisibleText(HTMLParser):
    """The text a reader sees: data outside script, style and code, and the attributes a browser shows."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "template"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts += [v for k, v in attrs.items() if k in SHOWN_ATTRIBUTES and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = re.sub(r"[\w.+-]+@[\w.-]+|\S+\.(?:xlsx|xls|docx|pdf|csv|ods|txt|tsv)\b|https?://\S+", " ", text)
    return {w for w in WORD.findall(text) if w not in allowed and w.lower() not in allowed}


def test_every_page_of_every_persona_is_chinese(people, ledger):
    world = build_world(people, ledger)
    # what the data itself holds in ASCII (usernames, token prefixes, the demo's own codes) is not UI text
    data_words = set(User.objects.values_list("username", flat=True)) | {"v"}
    clients = {p: client_for(people[p]) for p in ALL_PERSONAS} | {"anonymous": Client()}
    found = {}
    for route, cells in cases(world, people).items():
        for cell in cells:
            if cell.method != "get" or cell.url.startswith(SKIPPED):
                continue
            for persona, client in clients.items():
                response = client.get(cell.url)
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                words = english_words(response.content.decode(), ALLOWED | data_words)
                if words:
                    found.setdefault(f"{route} {cell.url.split('?')[0]} ({persona})", set()).update(words)
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in sorted(found.items()))


def _entries(po: str):
    """(msgid, msgstr, fuzzy) of each entry of a PO file (plural forms read as their first form)."""
    for block in po.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
                current, _, rest = line.partition(" ")
                fields[current] = rest[1:-1]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        msgid = fields.get("msgid")
        if msgid:
            yield msgid, fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_the_catalogue_translates_every_message(tmp_path):
    """The messages of the code as it is now (makemessages on a copy), each translated, none fuzzy."""
    copy = tmp_path / "taizhang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "var"))
    command = [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
    subprocess.run(command, cwd=copy, check=True, env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": ""})
    po = (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    missing = [msgid for msgid, msgstr, fuzzy in _entries(po) if not msgstr or fuzzy]
    assert not missing, f"untranslated or fuzzy in {CATALOGUE.name}: {missing[:30]}"


# a code written in a record call, or chosen before it ("unit.update" if before else "unit.create")
CODES = [
    re.compile(r"""(?:record|record_many)\(\s*[^()]*?["']([a-z_]+\.[a-z_]+)["']""", re.S),
    re.compile(r"""["']([a-z_]+\.[a-z_]+)["']\s+if\b"""),
    re.compile(r"""\belse\s+["']([a-z_]+\.[a-z_]+)["']"""),
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def action_codes() -> set[str]:
    """Every audit action code the code writes: literal codes in its record calls, each step's
    `task.<step>` and each sign-in event's `auth.<event>`."""
    from taizhang.tasks.models import Step

    codes = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" not in path.parts:
            text = path.read_text()
            codes |= {code for pattern in CODES for code in pattern.findall(text)}
    codes = {c for c in codes if not c.endswith((".pdf", ".json", ".xlsx", ".docx", ".csv"))}  # file names
    codes |= {f"task.{step}" for step in Step.values}
    signals = (PACKAGE / "org" / "signals.py").read_text() + (PACKAGE / "org" / "views_account.py").read_text()
    codes |= {f"auth.{event}" for event in re.findall(r'event="([a-z_]+)"', signals)}
    return codes


def test_the_history_names_every_action_in_chinese():
    from django.utils import translation

    from taizhang.core.timeline import phrase

    codes = action_codes()
    assert {"task.verify", "task.progress", "import.done", "auth.sign_in", "unit.update"} <= codes  # the scan works
    with translation.override("zh-hans"):
        english = sorted(code for code in codes if not CJK.search(phrase(code)))
    assert not english, f"history entries without a Chinese phrase: {english}"
