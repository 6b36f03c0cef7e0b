"""Every write to the organisation: permission-checked, atomic, audit-logged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from taizhang.core import audit
from taizhang.core.permissions import MANAGE_ACCOUNTS, MANAGE_ORG, Role, Scope, grants
from taizhang.core.writes import apply_fields
from taizhang.org.models import Person, Unit, UnitGroup, User, path_segment, subtree_q

UNIT_FIELDS = ["name", "short_name", "aliases", "kind", "parent", "sort_order", "is_active"]
GROUP_FIELDS = ["name", "description", "members"]
PERSON_FIELDS = ["name", "post", "unit", "phone", "email", "is_active"]
ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "role", "scope", "unit", "person", "is_active"]


def _require(by, action: str) -> None:
    if by is not None and not grants(by, action):
        raise PermissionDenied(_("You may not change this."))


def _require_unit_in_scope(by, unit: Unit | None) -> None:
    """A scoped administrator manages only units inside its scope (None = the whole tree)."""
    if by is None or by.is_superuser or by.scope == Scope.ALL:
        return
    if unit is None or not Unit.objects.restrict(by, MANAGE_ORG).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("This unit is outside your data scope."))


@transaction.atomic
def save_unit(unit: Unit | None, data: dict, *, by) -> Unit:
    """Create (unit=None) or update a unit; a new parent moves the whole subtree in one UPDATE."""
    _require(by, MANAGE_ORG)
    creating = unit is None
    unit = unit or Unit()
    before = None if creating else audit.snapshot(unit, UNIT_FIELDS)
    if not creating:
        _require_unit_in_scope(by, unit)
    old_parent_id = unit.parent_id
    apply_fields(unit, data, UNIT_FIELDS)
    parent = unit.parent
    _require_unit_in_scope(by, parent if (creating or parent is not None) else None)
    if not creating and parent is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or one of its subunits.")})
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    if creating:
        unit.path = (parent.path if parent else "") + path_segment(unit.pk)
        unit.depth = parent.depth + 1 if parent else 0
        unit.save(update_fields=["path", "depth"])
    elif unit.parent_id != old_parent_id:
        _move_subtree(unit, parent)
    audit.record(
        by, "unit.create" if creating else "unit.update", unit, before=before, after=audit.snapshot(unit, UNIT_FIELDS)
    )
    return unit


def _move_subtree(unit: Unit, parent: Unit | None) -> None:
    old_path = Unit.objects.values_list("path", flat=True).get(pk=unit.pk)
    new_path = (parent.path if parent else "") + path_segment(unit.pk)
    depth_change = (parent.depth + 1 if parent else 0) - unit.depth
    Unit.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    unit.refresh_from_db(fields=["path", "depth"])


@transaction.atomic
def save_group(group: UnitGroup | None, data: dict, *, by) -> UnitGroup:
    _require(by, MANAGE_ORG)
    creating = group is None
    group = group or UnitGroup()
    before = None if creating else audit.snapshot(group, GROUP_FIELDS)
    m2m = apply_fields(group, data, GROUP_FIELDS)
    group.full_clean()
    group.save()
    if "members" in m2m:
        for unit in m2m["members"]:
            _require_unit_in_scope(by, unit)
        group.members.set(m2m["members"])
    audit.record(
        by,
        "group.create" if creating else "group.update",
        group,
        before=before,
        after=audit.snapshot(group, GROUP_FIELDS),
    )
    return group


@transaction.atomic
def save_person(person: Person | None, data: dict, *, by) -> Person:
    _require(by, MANAGE_ORG)
    creating = person is None
    person = person or Person()
    before = None if creating else audit.snapshot(person, PERSON_FIELDS)
    if not creating:
        _require_unit_in_scope(by, person.unit)
    apply_fields(person, data, PERSON_FIELDS)
    _require_unit_in_scope(by, person.unit)
    if not person.name and not person.post:
        raise ValidationError({"name": _("Give a name or a post.")})
    person.full_clean()
    person.save()
    audit.record(
        by,
        "person.create" if creating else "person.update",
        person,
        before=before,
        after=audit.snapshot(person, PERSON_FIELDS),
    )
    return person


@transaction.atomic
def save_account(account: User | None, data: dict, *, by, password: str | None = None) -> User:
    """Create or update a login. The password is never part of the audit data."""
    _require(by, MANAGE_ACCOUNTS)
    creating = account is None
    account = account or User()
    before = None if creating else audit.snapshot(account, ACCOUNT_FIELDS)
    if not creating:
        _require_unit_in_scope(by, account.unit)
    apply_fields(account, data, ACCOUNT_FIELDS)
    if account.role != Role.ADMIN or account.scope != Scope.ALL:
        _require_unit_in_scope(by, account.unit)
    if account.scope != Scope.ALL and account.unit_id is None:
        raise ValidationError({"unit": _("A scoped account needs a unit.")})
    if password:
        account.set_password(password)
    elif creating:
        account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    after = audit.snapshot(account, ACCOUNT_FIELDS)
    if password and not creating:
        after["password_changed"] = True
    audit.record(by, "account.create" if creating else "account.update", account, before=before, after=after)
    return account


@transaction.atomic
def change_own_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(user, "account.password_change", user, after={"password_changed": True})
