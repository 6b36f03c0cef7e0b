"""Log lines name the request or job they come from, by the id its audit events carry."""

import io
import json
import logging

import pytest

from taizhang.core.logs import JsonFormatter, RequestIdFilter
from taizhang.core.middleware import acting_as


@pytest.fixture
def lines():
    """What the configured console handler would write, as JSON lines, for `django.request`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_logs_under_its_request_id(client, lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-7f3a")
    assert response.status_code == 404 and response["X-Request-ID"] == "req-7f3a"
    (line,) = lines()
    assert line["request_id"] == "req-7f3a" and line["level"] == "WARNING" and "/no-such-page/" in line["message"]


def test_work_outside_a_request_logs_under_its_own_id(lines):
    logger = logging.getLogger("django.request")
    with acting_as("job-42"):
        logger.warning("导入第 %s 批", 3)
    logger.warning("之后")
    first, after = lines()
    assert (first["request_id"], first["message"]) == ("job-42", "导入第 3 批")  # Chinese kept as written
    assert after["request_id"] == "-"
