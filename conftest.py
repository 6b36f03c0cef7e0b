import pytest

from taizhang.testing import build_demo_org, client_for


@pytest.fixture
def people(db):
    """The demo organisation's accounts by username (admin, office, leader, unithead, liaison, county, viewer)."""
    return build_demo_org()


@pytest.fixture
def clients(people):
    """A logged-in test client per persona."""
    return {name: client_for(user) for name, user in people.items()}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test stores files in its own temporary media root (as paperless-ngx does)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # and its own audit anchor file: anchors name events of the test's own (rolled back) database
    settings.TAIZHANG_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


@pytest.fixture
def ledger(people):
    """The demo's sample ledger (5 categories, 15 findings, 19 measures), imported as the demo does."""
    from taizhang.rectification.demo import load_sample_ledger

    return load_sample_ledger()
