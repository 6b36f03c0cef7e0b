"""The organisation: a unit tree, named unit groups, people, and accounts with a role and a scope."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.permissions import RestrictedQuerySet, Role, Scope, unrestricted

PATH_STEP = 8  # digits per tree level: a unit's path is its ancestors' ids, zero-padded, concatenated


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_STEP}d}"


def subtree_q(path: str, prefix: str = "") -> Q:
    """Units at or below `path`, as a range on one indexed column.

    A range rather than LIKE 'p%': it uses a plain B-tree index on SQLite and on PostgreSQL whatever
    the collation, because paths are digits only and digit strings sort the same everywhere.
    """
    upper = str(int(path) + 1).zfill(len(path))
    return Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": upper})


def unit_scope_q(user, prefix: str = "") -> Q | None:
    """The units a scoped user may see, as a filter on a unit relation named by `prefix`.

    None means every unit (scope "all"). A user without a unit sees no unit.
    """
    if unrestricted(user):
        return None
    if user.unit_id is None:
        return Q(pk__in=[])
    if user.scope == Scope.SUBTREE:
        return subtree_q(user.unit.path, prefix)
    return Q(**{f"{prefix}pk": user.unit_id})


def unit_in_scope(user, unit) -> bool:
    """`unit_scope_q` for one unit already in memory (its path loaded): no query."""
    if unrestricted(user):
        return True
    if unit is None or user.unit_id is None:
        return False
    if user.scope == Scope.SUBTREE:
        return unit.is_within(user.unit)
    return unit.pk == user.unit_id


class UnitKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    OFFICE = "office", _("Office")
    DEPARTMENT = "department", _("Department")
    BUREAU = "bureau", _("Bureau")
    COUNTY = "county", _("County / district")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School / university")
    OTHER = "other", _("Other")


class UnitQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        return unit_scope_q(user, "")

    def subtree(self, unit: "Unit"):
        return self.filter(subtree_q(unit.path))


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    aliases = models.TextField(
        _("other names"), blank=True, help_text=_("One per line; used to match imported ledgers.")
    )
    code = models.CharField(
        _("unit code"),
        max_length=64,
        blank=True,
        help_text=_(
            "The code the directory or the sign-in platform gives this unit (组织机构代码 or a department id)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="unit_code_unique",
                violation_error_message=_("Another unit already has this code."),
            ),
        ]

    def __str__(self):
        return self.name

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class UnitGroupQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        q = unit_scope_q(user, "members__")
        return None if q is None else Q(pk__in=UnitGroup.objects.filter(q).values("pk"))


class UnitGroup(models.Model):
    """A named set of units a ledger line can address at once, such as 各县（区）委."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Unit, verbose_name=_("member units"), related_name="groups", blank=True)

    objects = UnitGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self):
        return self.name


class PersonQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            return Q(pk=user.person_id)
        return unit_scope_q(user, "unit__")


class Person(models.Model):
    """Someone named in a ledger. May have no account; a leader may be recorded by post alone."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    code = models.CharField(
        _("staff number"),
        max_length=64,
        blank=True,
        help_text=_("The staff number (工号) the directory gives this person; also their sign-in user name."),
    )
    post = models.CharField(_("post"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(post=""),
                name="person_has_name_or_post",
                violation_error_message=_("Give a name or a post."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="person_code_unique",
                violation_error_message=_("Another person already has this staff number."),
            ),
        ]

    def __str__(self):
        if self.name and self.post:
            return f"{self.name}（{self.post}）"
        return self.name or self.post


class AccountQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        return unit_scope_q(user, "unit__")


class AccountManager(UserManager.from_queryset(AccountQuerySet)):
    def get_queryset(self):
        # Every page's header names the account's person and unit: fetched with the account (the
        # sign-in backends load it through this manager), not by two more queries a page.
        return super().get_queryset().select_related("person", "unit")


class User(AbstractUser):
    """A login: a role (what it may do) and a data scope (where), anchored at a unit."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    scope = models.CharField(_("data scope"), max_length=20, choices=Scope.choices, default=Scope.UNIT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )

    objects = AccountManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        if self.person_id and self.person.name:
            return self.person.name
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def signature(self) -> str:
        """How a message or a history line names the account: 姓名（单位）."""
        return f"{self}（{self.unit.name}）" if self.unit_id else str(self)


class ApiToken(models.Model):
    """An API key: shown once when issued, stored only as its SHA-256, valid until it expires or is revoked.

    A user may hold several (a script, a report tool); a password change, an administrator's reset and a
    deactivation revoke them all.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("key begins"), max_length=8)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}…"


def selected_units(units=(), subtrees=(), groups=()) -> list["Unit"]:
    """The units a set of choices names (a campaign's scope, a lesson's): the units named, every unit
    under each subtree named (itself included), and the members of each group; each once, active only,
    in tree order."""
    q = None
    for top in subtrees:
        q = subtree_q(top.path) if q is None else q | subtree_q(top.path)
    ids = {u.pk for u in units}
    ids |= set(UnitGroup.members.through.objects.filter(unitgroup__in=list(groups)).values_list("unit_id", flat=True))
    found = Unit.objects.filter(is_active=True)
    found = found.filter(pk__in=ids) | (found.filter(q) if q is not None else Unit.objects.none())
    return list(found.distinct().order_by("path"))
