"""The scale generator (`seed_scale`) the benchmarks stand on: what it writes is a database the
product accepts as its own, its audit chain intact and every task and risk with the history it was
written in (a benchmark on rows `verify_audit` would reject would measure nothing real)."""

import io
import json

import pytest
from django.core.management import call_command

from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.risks.models import Campaign, Risk, RiskStatus
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_a_small_provincial_database_verifies(settings):
    out = io.StringIO()
    call_command(
        "seed_scale", units=40, sources=2, tasks=300, progress=100, risks=250, stdout=out, stderr=io.StringIO()
    )
    result = json.loads(out.getvalue())
    assert Task.objects.filter(origin__kind="finding").count() == 300
    assert Risk.objects.count() == 250 == result["risks"]["risks"] == result["risks"]["audit_events"]
    assert set(Risk.objects.values_list("status", flat=True)) >= {RiskStatus.ASSESSED, RiskStatus.DISPOSING}
    assert Campaign.objects.get().returns.count() == result["risks"]["returns"] > 0
    assert verify_chain().ok
    report = verify_objects()
    assert report.ok, report.problems
