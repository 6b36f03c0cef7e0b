"""Hostile request bodies get a 400 with a readable reason, never a 500, and change nothing."""

import json

import pytest

from taizhang.core.parsers import depth
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def transition_url(ledger):
    return f"/api/tasks/{Task.objects.filter(source=ledger).first().pk}/transition/"


@pytest.mark.parametrize("levels", [50, 100_000])
def test_deeply_nested_json_is_a_400(clients, ledger, levels):
    body = "[" * levels + "]" * levels
    response = clients["office"].post(transition_url(ledger), body, content_type="application/json")
    assert response.status_code == 400 and "嵌套" in response.json()["detail"]


def test_oversized_json_body_is_a_400(clients, ledger, settings):
    body = json.dumps({"action": "start", "note": "长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2), "version": 1})
    response = clients["office"].post(transition_url(ledger), body, content_type="application/json")
    assert response.status_code == 400


def test_depth_counts_nesting():
    assert (depth(1), depth([]), depth({"a": [1, {"b": []}]})) == (0, 1, 4)
