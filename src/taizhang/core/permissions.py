"""Roles, the actions they grant, and data scopes (RuoYi style).

A role says *what* an account may do; a scope says *where*: all units, a unit's subtree, its own
unit, or only items it answers for. Every queryset of scoped data goes through
`Model.objects.restrict(user, action)`; objects outside the result answer 404.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICE = "office", _("Supervision office")
    LEADER = "leader", _("Leader")
    LIAISON = "liaison", _("Unit liaison")
    VIEWER = "viewer", _("Viewer")


class Scope(models.TextChoices):
    ALL = "all", _("All units")
    SUBTREE = "subtree", _("Unit and its subunits")
    UNIT = "unit", _("Own unit")
    OWN = "own", _("Own items")


# Actions a role grants. "view" is reading within scope; the rest are writes checked by actions.py.
VIEW = "view"
EXPORT = "export"
MANAGE_ORG = "manage_org"  # units, groups, people
MANAGE_ACCOUNTS = "manage_accounts"
MANAGE_SYSTEM = "manage_system"  # settings of the whole installation: the working-day calendar
MANAGE_LEDGER = "manage_ledger"  # sources, findings, tasks; verify; close directly; decide extensions
REPORT_PROGRESS = "report_progress"  # progress, evidence, apply for close-out, request extension
SIGN_OFF = "sign_off"  # unit head / leader confirmation of a close-out

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({VIEW, EXPORT, MANAGE_ORG, MANAGE_ACCOUNTS, MANAGE_LEDGER, MANAGE_SYSTEM}),
    Role.OFFICE: frozenset({VIEW, EXPORT, MANAGE_ORG, MANAGE_LEDGER, REPORT_PROGRESS}),
    Role.LEADER: frozenset({VIEW, EXPORT, SIGN_OFF}),
    Role.LIAISON: frozenset({VIEW, EXPORT, REPORT_PROGRESS}),
    Role.VIEWER: frozenset({VIEW, EXPORT}),
}


def unrestricted(user) -> bool:
    """No data scope applies: the system (None), a superuser, or an account with scope "all"."""
    return user is None or user.is_superuser or user.scope == Scope.ALL


def grants(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(user.role, frozenset())


class RestrictedQuerySet(models.QuerySet):
    """Base queryset: `restrict(user, action)` is the one door to scoped data.

    Subclasses implement `scope_q(user)` returning a Q for the user's scope, or None for everything.
    """

    def scope_q(self, user):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def restrict(self, user, action: str = VIEW):
        if not grants(user, action):
            return self.none()
        if unrestricted(user):
            return self
        q = self.scope_q(user)
        return self if q is None else self.filter(q)


def require_visible(by, obj) -> None:
    """The scope check of every action on an existing object: outside the actor's view it is a 404."""
    from taizhang.core.errors import OutOfScope

    if unrestricted(by):
        return
    if not type(obj).objects.restrict(by, VIEW).filter(pk=obj.pk).exists():
        raise OutOfScope
