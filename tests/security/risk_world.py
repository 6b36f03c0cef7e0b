"""The risk register's objects for the permission matrix, and who may see and do what with each (by
hand, not computed with the code under test).

Three risks where the three tasks are (市委宣传部 with 张伟 as its leader, 东城区委宣传部, 西城区委), a
campaign asking those three units, its three returns. Seen by unit, as tasks are: a risk or a return
of 西城区委 is the west liaison's and the all-scope personas' only.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.org.models import Person
from taizhang.risks import actions, actions_campaign
from taizhang.testing import unit

from .world import ALL_SCOPE

SEES = {
    "risk_in": ALL_SCOPE | {"leader", "unithead", "liaison"},
    "risk_east": ALL_SCOPE | {"county", "countyadmin", "countyoffice"},
    "risk_out": ALL_SCOPE | {"westliaison"},
    # a return is its unit's (an own-items account answers for no unit's return)
    "return_in": ALL_SCOPE | {"unithead", "liaison"},
    "return_out": ALL_SCOPE | {"westliaison"},
    # a campaign: whoever sees one of its returns
    "campaign": ALL_SCOPE | {"unithead", "liaison", "county", "countyadmin", "countyoffice", "westliaison"},
}
# who may work on a risk of 市委宣传部: identify, edit, assess (liaison, office; admin by its ledger right)
EDIT_IN = {"admin", "office", "liaison"}
ASSESS_IN = EDIT_IN | {"unithead"}  # reviews and assessments: the unit head too
DECIDE_IN = {"admin", "office", "unithead"}  # clear, close


@dataclass
class RiskWorld:
    risk_in: object
    risk_east: object
    risk_out: object
    campaign: object
    return_in: object
    return_out: object


def build_risk_world(people) -> RiskWorld:
    office = people["office"]

    def risk(name, text, **extra):
        made = actions.save_risk(None, {"text": text, "unit": unit(name)} | extra, by=office)
        actions.assess(made, {"likelihood": 3, "impact": 4}, by=office)
        made.refresh_from_db()
        return made

    risks = (
        risk("市委宣传部", "宣传部的风险点", leader=Person.objects.get(name="张伟")),
        risk("东城区委宣传部", "东城区的风险点"),
        risk("西城区委", "西城区的风险点"),
    )
    notice = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 notice", "application/pdf")
    campaign = actions_campaign.launch(
        {
            "title": "专项排查",
            "starts_on": dt.date.today(),
            "due_on": dt.date.today() + dt.timedelta(days=10),
            "scope_units": [unit("市委宣传部"), unit("东城区委宣传部"), unit("西城区委")],
        },
        by=office,
        notice=notice,
    )
    returns = {r.unit.name: r for r in campaign.returns.select_related("unit")}
    return RiskWorld(*risks, campaign, returns["市委宣传部"], returns["西城区委"])
