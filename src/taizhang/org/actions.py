"""Every write to the organisation: permission-checked, atomic, audit-logged."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.errors import OutOfScope
from taizhang.core.names import clean_names
from taizhang.core.permissions import MANAGE_ACCOUNTS, MANAGE_ORG, Role, Scope, grants, unrestricted
from taizhang.core.writes import apply_fields, check_state
from taizhang.org.auth import key_hash
from taizhang.org.models import ApiToken, Person, Unit, UnitGroup, User, path_segment, subtree_q

UNIT_FIELDS = ["name", "short_name", "code", "aliases", "kind", "parent", "sort_order", "is_active"]
GROUP_FIELDS = ["name", "description", "members"]
PERSON_FIELDS = ["name", "code", "post", "unit", "phone", "email", "is_active"]
ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "role", "scope", "unit", "person", "is_active"]


def _require(by, action: str) -> None:
    if by is not None and not grants(by, action):
        raise PermissionDenied(_("You may not change this."))


def _require_unit_in_scope(by, unit: Unit | None) -> None:
    """A scoped administrator manages only units inside its scope (None = the whole tree)."""
    if unrestricted(by):
        return
    if unit is None or not Unit.objects.restrict(by, MANAGE_ORG).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("This unit is outside your data scope."))


@transaction.atomic
def save_unit(unit: Unit | None, data: dict, *, by, version: str | None = None) -> Unit:
    """Create (unit=None) or update a unit; a new parent moves the whole subtree in one UPDATE."""
    _require(by, MANAGE_ORG)
    creating = unit is None
    unit = unit or Unit()
    before = None if creating else audit.snapshot(unit, UNIT_FIELDS)
    if not creating:
        _require_unit_in_scope(by, unit)
        check_state(unit, UNIT_FIELDS, version)
    old_parent_id = unit.parent_id
    apply_fields(unit, data, UNIT_FIELDS)
    clean_names(unit, ["name", "short_name", "code", "aliases"], multiline=("aliases",))
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


# Sent inside the move's transaction with old_path and new_path: apps that keep a copy of a unit's
# path (the similarity index files findings by it) follow the move in the same transaction, as org
# may not import them.
subtree_moved = Signal()


def _move_subtree(unit: Unit, parent: Unit | None) -> None:
    old_path = Unit.objects.values_list("path", flat=True).get(pk=unit.pk)
    new_path = (parent.path if parent else "") + path_segment(unit.pk)
    depth_change = (parent.depth + 1 if parent else 0) - unit.depth
    Unit.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    unit.refresh_from_db(fields=["path", "depth"])
    subtree_moved.send(sender=Unit, old_path=old_path, new_path=new_path)


@transaction.atomic
def save_group(group: UnitGroup | None, data: dict, *, by, version: str | None = None) -> UnitGroup:
    _require(by, MANAGE_ORG)
    creating = group is None
    group = group or UnitGroup()
    before = None if creating else audit.snapshot(group, GROUP_FIELDS)
    if not creating:
        # A group that reaches outside the editor's scope is shared with other administrators.
        for member in group.members.all():
            _require_unit_in_scope(by, member)
        check_state(group, GROUP_FIELDS, version)
    m2m = apply_fields(group, data, GROUP_FIELDS)
    clean_names(group, ["name"])
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
def save_person(person: Person | None, data: dict, *, by, version: str | None = None) -> Person:
    _require(by, MANAGE_ORG)
    creating = person is None
    person = person or Person()
    before = None if creating else audit.snapshot(person, PERSON_FIELDS)
    if not creating:
        _require_unit_in_scope(by, person.unit)
        check_state(person, PERSON_FIELDS, version)
    apply_fields(person, data, PERSON_FIELDS)
    clean_names(person, ["name", "code", "post"])
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


def scope_within(by, scope: str, unit: Unit | None) -> bool:
    """Whether a data scope anchored at `unit` lies inside the editor's own: what an account editor may
    grant, and which accounts it may edit at all. None (the system) and all-scope editors grant anything."""
    if unrestricted(by):
        return True
    if scope == Scope.ALL or unit is None or by.unit_id is None:
        return False
    if by.scope == Scope.SUBTREE:
        return unit.path.startswith(by.unit.path)
    if by.scope == Scope.UNIT:
        return unit.pk == by.unit_id and scope in (Scope.UNIT, Scope.OWN)
    return unit.pk == by.unit_id and scope == Scope.OWN


def _check_account_grant(by, account: User, before: dict | None) -> None:
    """An editor never grants more than it holds, nor changes what its own account may do."""
    if by is None or by.is_superuser:
        return
    if account.is_superuser:
        raise PermissionDenied(_("Only a superuser may change a superuser's account."))
    if before is not None and account.pk == by.pk:
        for name in ("role", "scope", "unit", "person", "is_active"):
            if before[name] != audit.snapshot(account, [name])[name]:
                raise PermissionDenied(_("You cannot change the role, scope, unit or status of your own account."))
    if not scope_within(by, account.scope, account.unit):
        raise PermissionDenied(_("You cannot grant a data scope wider than your own."))
    if account.person_id and not Person.objects.restrict(by, MANAGE_ACCOUNTS).filter(pk=account.person_id).exists():
        raise PermissionDenied(_("This person is outside your data scope."))


@transaction.atomic
def save_account(
    account: User | None, data: dict, *, by, password: str | None = None, version: str | None = None
) -> User:
    """Create or update a login. The password is never part of the audit data.

    A new password, an administrator's reset or a deactivation revokes the account's API tokens.
    """
    _require(by, MANAGE_ACCOUNTS)
    creating = account is None
    account = account or User()
    before = None if creating else audit.snapshot(account, ACCOUNT_FIELDS)
    if not creating and not scope_within(by, account.scope, account.unit):
        raise OutOfScope  # an account wider than the editor's scope is not the editor's to see
    if not creating:
        check_state(account, ACCOUNT_FIELDS, version)
    apply_fields(account, data, ACCOUNT_FIELDS)
    clean_names(account, ["username", "first_name", "last_name"])
    if account.scope != Scope.ALL and account.unit_id is None:
        raise ValidationError({"unit": _("A scoped account needs a unit.")})
    _check_account_grant(by, account, before)
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
    if not creating and (password or not account.is_active):
        revoke_tokens(account, by=by, reason="password_reset" if password else "deactivated")
    return account


@transaction.atomic
def change_own_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(user, "account.password_change", user, after={"password_changed": True})
    revoke_tokens(user, by=user, reason="password_change")


# --- API tokens and sign-in ----------------------------------------------------------------------------
@transaction.atomic
def issue_token(user: User, *, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the user (never the old one handed back); returns it and the key, shown once."""
    if not user.is_active:
        raise PermissionDenied(_("The account is disabled."))
    key = secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=key_hash(key),
        prefix=key[:8],
        label=(label or "").strip()[:100],
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.TAIZHANG_TOKEN_DAYS),
    )
    audit.record(
        user, "token.issue", user, after={"token": token.pk, "prefix": token.prefix, "expires": token.expires_at}
    )
    return token, key


@transaction.atomic
def revoke_tokens(user: User, *, by, reason: str, token_id: int | None = None) -> int:
    """Revoke one of the user's tokens (token_id) or all of them; only the user or the system does the
    former from the token page, the account actions do the latter."""
    tokens = ApiToken.objects.filter(user=user)
    if token_id is not None:
        tokens = tokens.filter(pk=token_id)
    prefixes = list(tokens.values_list("prefix", flat=True))
    if not prefixes:
        return 0
    tokens.delete()
    audit.record(by, "token.revoke", user, after={"reason": reason, "prefixes": prefixes})
    return len(prefixes)


@transaction.atomic
def record_sign_in(user: User, *, event: str, detail: dict | None = None) -> None:
    """Sign-in, sign-out, a failure or a lockout, in the audit chain. `user` may be an unsaved stand-in
    carrying the username typed when no account has it."""
    audit.record(user if user.pk else None, f"auth.{event}", user, after=detail or {})


# --- single sign-on ---------------------------------------------------------------------------------
class SignInRefused(Exception):
    """A provider vouched for someone Taizhang will not let in; `reason` picks the page's words."""

    def __init__(self, reason: str, identity):
        super().__init__(reason)
        self.reason = reason
        self.identity = identity


def sso_role(groups: list[str]) -> tuple[str, str] | None:
    """The role and scope an account created at first sign-in gets: the first configured group the person
    is in, else the default; None when neither applies. An administrator is never made this way."""
    for group, grant in settings.TAIZHANG_SSO_ROLES.items():
        if group in groups:
            return _grant(grant, "TAIZHANG_SSO_ROLES")
    if settings.TAIZHANG_SSO_DEFAULT_ROLE:
        return _grant(settings.TAIZHANG_SSO_DEFAULT_ROLE, "TAIZHANG_SSO_DEFAULT_ROLE")
    return None


def _grant(text: str, setting: str) -> tuple[str, str]:
    role, _sep, scope = str(text).partition("/")
    scope = scope or Scope.UNIT
    if role not in Role.values or role == Role.ADMIN or scope not in Scope.values:
        raise ImproperlyConfigured(
            f"{setting}: {text!r} is not role/scope (roles: office, leader, liaison, viewer; scopes: "
            "all, subtree, unit, own); administrators are made locally, never by single sign-on."
        )
    return role, scope


def sso_sign_in(identity) -> User:
    """The account a provider's verified identity signs in as, created at the first sign-in when the
    mapping gives a role (and a unit for a scoped one). A disabled account stays disabled, and an account
    with its own password (the local administrator's, say) is never taken over by a provider. A refusal
    is recorded in the audit chain (its own transaction: nothing else is written) and raised as
    `SignInRefused`; the sign-in itself is recorded by the login signal."""
    detail = {"provider": identity.provider, "username": identity.username, "unit_code": identity.unit_code}
    if not identity.username:
        raise _refused("no_username", identity, detail)
    account = User.objects.filter(username=identity.username).first()
    if account is not None:
        if account.has_usable_password():
            raise _refused("local_account", identity, detail, account)
        if not account.is_active:
            raise _refused("disabled", identity, detail, account)
        return account
    grant = sso_role(identity.groups)
    if grant is None:
        raise _refused("no_account", identity, detail)
    role, scope = grant
    unit = Unit.objects.filter(code=identity.unit_code, is_active=True).first() if identity.unit_code else None
    if unit is None and scope != Scope.ALL:
        raise _refused("unknown_unit", identity, detail)
    return _provision(identity, detail, role, scope, unit)


@transaction.atomic
def _provision(identity, detail: dict, role: str, scope: str, unit: Unit | None) -> User:
    person = None
    if identity.name and unit is not None:
        person = Person.objects.filter(unit=unit, name=identity.name, account__isnull=True, is_active=True).first()
        person = person or save_person(None, {"name": identity.name, "unit": unit}, by=None)
    account = save_account(
        None,
        {
            "username": identity.username,
            "role": role,
            "scope": scope,
            "unit": unit,
            "person": person,
            "last_name": identity.name if person is None else "",
            "is_active": True,
        },
        by=None,
    )
    audit.record(
        None, "auth.sso_provision", account, after={**detail, "groups": identity.groups, "role": role, "scope": scope}
    )
    return account


def _refused(reason: str, identity, detail: dict, account: User | None = None) -> SignInRefused:
    record_sign_in(
        account or User(username=identity.username[:150]), event="sso_refused", detail={**detail, "reason": reason}
    )
    return SignInRefused(reason, identity)


@transaction.atomic
def sync_directory(directory, *, by, digest: str | None = None):
    """Bring units, people and accounts in line with `directory` (org/sync.py), all or nothing: every
    change through the actions above (each audited as usual), nothing deleted. Only an administrator over
    every unit (or the system, by=None) may; with `digest`, only if the plan is still the one previewed.
    Returns the plan applied."""
    from taizhang.org import sync

    if by is not None and not (grants(by, MANAGE_ACCOUNTS) and unrestricted(by)):
        raise PermissionDenied(_("Only an administrator over every unit may synchronise the organisation."))
    plan = sync.plan(directory)
    if digest is not None and plan.digest != digest:
        raise ValidationError(_("The directory changed after the preview. Preview it again."))
    units = {u.code: u for u in Unit.objects.exclude(code="")}
    for change in plan.changes:
        _SYNC_STEPS[change.kind](change, units, by)
    return plan


def _sync_unit_adopt(change, units, by):
    units[change.code] = save_unit(Unit.objects.get(pk=change.data["pk"]), {"code": change.code}, by=by)


def _sync_unit_new(change, units, by):
    data = {"name": change.data["name"], "code": change.code, "parent": units.get(change.data["parent_code"])}
    units[change.code] = save_unit(None, data, by=by)


def _sync_unit_rename(change, units, by):
    unit = units[change.code]
    aliases = "\n".join(dict.fromkeys([*unit.alias_list(), unit.name]))  # the old name still matches imports
    units[change.code] = save_unit(unit, {"name": change.data["name"], "aliases": aliases}, by=by)


def _sync_unit_move(change, units, by):
    parent = units.get(change.data["parent_code"])
    units[change.code] = save_unit(units[change.code], {"parent": parent}, by=by)


def _sync_unit_active(active: bool):
    def step(change, units, by):
        units[change.code] = save_unit(units[change.code], {"is_active": active}, by=by)

    return step


def _sync_person(change, units, by):
    person = Person.objects.filter(code=change.code).first()
    if person is None and "pk" in change.data:  # adopted: entered before the directory was synchronised
        person = Person.objects.get(pk=change.data["pk"])
    data = {
        "name": change.data["name"],
        "code": change.code,
        "unit": units[change.data["unit_code"]],
        "is_active": True,
    }
    if change.data["post"]:
        data["post"] = change.data["post"]
    old_unit = person.unit_id if person else None
    person = save_person(person, data, by=by)
    account = User.objects.filter(person=person).first()
    if account is not None and old_unit and account.unit_id == old_unit and old_unit != person.unit_id:
        save_account(account, {"unit": person.unit}, by=by)  # the account's scope follows its person


def _sync_person_deactivate(change, units, by):
    person = Person.objects.get(code=change.code)
    save_person(person, {"is_active": False}, by=by)
    account = User.objects.filter(person=person, is_active=True).first()
    if account is not None:
        save_account(account, {"is_active": False}, by=by)


def _sync_account_new(change, units, by):
    person = Person.objects.get(code=change.code)
    data = {"username": change.code, "role": change.data["role"], "scope": change.data["scope"]}
    data |= {"unit": person.unit, "person": person, "is_active": True}
    save_account(None, data, by=by)


_SYNC_STEPS = {
    "unit.adopt": _sync_unit_adopt,
    "unit.new": _sync_unit_new,
    "unit.rename": _sync_unit_rename,
    "unit.move": _sync_unit_move,
    "unit.deactivate": _sync_unit_active(False),
    "unit.reactivate": _sync_unit_active(True),
    "person.new": _sync_person,
    "person.update": _sync_person,
    "person.deactivate": _sync_person_deactivate,
    "account.new": _sync_account_new,
}


# The audit timeline's words for this module's events (core/timeline.py).
EVENT_PHRASES = {
    "unit.create": gettext_lazy("created the unit"),
    "unit.update": gettext_lazy("edited the unit"),
    "group.create": gettext_lazy("created the group"),
    "group.update": gettext_lazy("edited the group"),
    "person.create": gettext_lazy("added the person"),
    "person.update": gettext_lazy("edited the person"),
    "account.create": gettext_lazy("created the account"),
    "account.update": gettext_lazy("edited the account"),
    "account.password_change": gettext_lazy("changed the password"),
    "token.issue": gettext_lazy("issued an API token"),
    "token.revoke": gettext_lazy("revoked API tokens"),
    "auth.sign_in": gettext_lazy("signed in"),
    "auth.sign_out": gettext_lazy("signed out"),
    "auth.sign_in_failed": gettext_lazy("failed to sign in"),
    "auth.locked_out": gettext_lazy("locked out after failed sign-ins"),
    "auth.password_change_failed": gettext_lazy("gave a wrong old password"),
    "auth.sso_provision": gettext_lazy("was given an account at a first single sign-on"),
    "auth.sso_refused": gettext_lazy("was refused by single sign-on"),
}
