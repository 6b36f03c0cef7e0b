"""Working groups and joint meetings (专项工作组, 联席会议): setting one up, its member units and the
people they send, its rules as a file. Its meetings are meetings (`actions.record_meeting` with the
body), their decisions tasks like any other. Each write checks the role and the units' scope, runs
atomically and writes its audit event in the same transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.errors import Conflict
from taizhang.core.permissions import MANAGE_LEDGER, require_visible
from taizhang.duties.actions import _require_units, _stored, require_people_in_scope
from taizhang.duties.models import Body, BodyMember

BODY_FIELDS = ["name", "kind", "lead_unit", "duties", "set_up_on"]


def may_run(user, body: Body) -> bool:
    """Who keeps a body's record: an office over its lead unit."""
    try:
        _require_units(user, [body.lead_unit], MANAGE_LEDGER)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def create_body(data: dict, *, by, rules=None) -> Body:
    lead_unit = data.get("lead_unit")
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Name the lead unit (牵头单位).")})
    _require_units(by, [lead_unit], MANAGE_LEDGER)
    name = (data.get("name") or "").strip()[:200]
    if not name:
        raise ValidationError({"name": _("Give the body a name.")})
    if Body.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A working body of this name exists already.")})
    body = Body(name=name, lead_unit=lead_unit)
    for field in ("kind", "duties", "set_up_on"):
        if data.get(field) not in (None, ""):
            setattr(body, field, data[field])
    body.full_clean(exclude=["rules"])
    if rules is not None:
        body.rules, body.rules_name = _stored(by, rules)
    body.save()
    audit.record(by, "body.create", body, after=audit.snapshot(body, BODY_FIELDS) | {"rules": body.rules_name})
    return body


def _locked(body: Body, by, version) -> Body:
    require_visible(by, body)
    locked = Body.objects.select_for_update().get(pk=body.pk)
    if version is not None and int(version) != locked.version:
        raise Conflict(_("This working body was changed by someone else. Reload and try again."), locked.version)
    _require_units(by, [locked.lead_unit], MANAGE_LEDGER)
    return locked


def _bump(body: Body) -> None:
    body.version += 1
    body.save(update_fields=["version", "rules", "rules_name"])


@transaction.atomic
def add_member(body: Body, data: dict, *, by, version=None) -> BodyMember:
    """A member unit, the person it sends (a person of that unit) and its part (召集单位, 成员单位 …)."""
    body = _locked(body, by, version)
    unit, person = data.get("unit"), data.get("representative")
    if unit is None:
        raise ValidationError({"unit": _("Choose the member unit.")})
    _require_units(by, [unit], MANAGE_LEDGER)
    if person is not None:
        require_people_in_scope(by, [person])
        if person.unit_id != unit.pk:
            raise ValidationError({"representative": _("The representative is a person of the member unit.")})
    try:
        with transaction.atomic():
            member = BodyMember.objects.create(
                body=body, unit=unit, representative=person, part=(data.get("part") or "").strip()[:50]
            )
    except IntegrityError:
        raise ValidationError({"unit": _("This unit is a member already.")}) from None
    _bump(body)
    after = {"member": unit.name, "representative": person.name if person else "", "part": member.part}
    audit.record(by, "body.member", body, after=after)
    return member


@transaction.atomic
def remove_member(body: Body, member_pk: int, *, by, version=None) -> None:
    body = _locked(body, by, version)
    member = BodyMember.objects.filter(body=body, pk=member_pk).select_related("unit", "representative").first()
    if member is None:
        raise ValidationError(_("This unit is no member of the body."))
    before = {"member": member.unit.name, "representative": member.representative.name if member.representative else ""}
    member.delete()
    _bump(body)
    audit.record(by, "body.unmember", body, before=before)


@transaction.atomic
def attach_rules(body: Body, upload, *, by, version=None) -> Body:
    """The body's rules (工作规则) as a file; a newer file replaces the one shown (the history keeps both names)."""
    body = _locked(body, by, version)
    if upload is None:
        raise ValidationError({"rules": _("Choose the file of the rules.")})
    before = {"rules": body.rules_name}
    body.rules, body.rules_name = _stored(by, upload)
    _bump(body)
    audit.record(by, "body.rules", body, before=before, after={"rules": body.rules_name})
    return body
