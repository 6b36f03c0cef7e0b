"""Every page, for every role: renders, stays on this host, and speaks Chinese by default."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from taizhang.testing import PERSONAS

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""", re.I)
CSS_EXTERNAL = re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I)
SKIP = ("/logout/", "/api/auth/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.assets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])


def crawl(client, start="/", limit=400):
    """GET every same-site page reachable from `start`; yield (url, response)."""
    seen, queue = set(), [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url).path
        if url in seen or path.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        yield url, response
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(response.content.decode())
            for href in parser.links:
                target = urljoin(url, href)
                parsed = urlparse(target)
                if not parsed.netloc and parsed.path.startswith("/") and not parsed.path.startswith("/static/"):
                    queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_renders_and_references_no_external_host(clients, ledger, persona):
    client = clients[persona]
    assets = set()
    pages = 0
    for url, response in crawl(client):
        assert response.status_code in (200, 302, 403), f"{url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # downloads (xlsx, csv, evidence) are checked by their own tests
        body = response.content.decode()
        pages += 1
        assert not EXTERNAL.search(body), f"{url} references an external host: {EXTERNAL.search(body).group(0)}"
        if "text/html" in response["Content-Type"]:
            parser = Links()
            parser.feed(body)
            assets.update(a for a in parser.assets if a.startswith("/static/"))
    assert pages >= 5
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        if asset.endswith(".css"):
            text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
            assert not CSS_EXTERNAL.search(text), asset


def test_api_docs_load_their_assets_locally(clients):
    body = clients["office"].get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert not EXTERNAL.search(body)
    assert "validator.swagger.io" not in body


def test_chinese_is_the_default_and_english_is_remembered(clients):
    client = clients["office"]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"  # an English browser still gets Chinese
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page and "首页" in page and "退出登录" in page
    response = client.post("/language/", {"language": "en", "next": "/org/units/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Log out" in page and "首页" not in page
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert "首页" in client.get("/").content.decode()


def test_login_page_is_chinese_for_anonymous_visitors(client, people):
    page = client.get("/login/").content.decode()
    assert "登录" in page


def test_schema_is_openapi_3(clients):
    response = clients["office"].get("/api/schema/", {"format": "json"})
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/units/" in schema["paths"] and "/api/auth/token/" in schema["paths"]


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/tasks/{id}/transition/" in (tmp_path / "schema.yml").read_text()


def test_the_headers_links_follow_the_address_the_site_is_served_under(clients):
    """The header's links are reversed once and kept (`shell_url`), per script prefix: a site served
    under /taizhang/ behind a proxy links there, even after an address was kept for the root."""
    from django.urls import set_script_prefix

    from taizhang.core.templatetags.shell import shell_url

    page = clients["office"].get("/ledger/tasks/").content.decode()
    assert 'href="/ledger/tasks/"' in page and 'href="/org/units/"' in page and 'action="/language/"' in page
    try:
        set_script_prefix("/taizhang/")
        assert (shell_url("tasks:list"), shell_url("org:list", "units")) == (
            "/taizhang/ledger/tasks/",
            "/taizhang/org/units/",
        )
    finally:
        set_script_prefix("/")
    assert shell_url("tasks:list") == "/ledger/tasks/"
