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


@pytest.fixture(autouse=True)
def _tallies_exact(request):
    """After every test that writes to the database, the maintained task counts equal a recount of the
    tasks: whatever path a test takes through the actions, a write that forgets the tallies fails it."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    uses_db = "db" in request.fixturenames or marker is not None
    if not uses_db or transactional:
        yield
        return
    request.getfixturevalue("db")  # set up before this fixture, so torn down after its check
    from taizhang.tasks import tally

    if tally.state() is None:  # a transactional test before this one flushed the row its migration made
        tally.rebuild()
    yield
    assert tally.differences() == []
