"""The organisation from its directory (组织机构同步): units, people and accounts read from an LDAP
directory or a spreadsheet exported from it, compared with Taizhang's, the differences planned as
changes a person can read (new, renamed, moved, deactivated) and applied by `actions.sync_directory`.

Matching is by code only: a unit by its unit code (`Unit.code`), a person by their staff number
(`Person.code`, which is also the user name of the account a directory person signs in with). Units and
people without a code are not the directory's and are left alone. Nothing is ever deleted: what the
directory no longer lists is deactivated, so every ledger that names it keeps its history.

Reading and planning write nothing (the preview and `--dry-run` call only these); the plan carries a
digest, so the page applies exactly what it showed or says the directory changed meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core.names import normalise_name
from taizhang.core.permissions import Role, Scope
from taizhang.org.models import Person, Unit, User


class SyncError(Exception):
    """The directory cannot be read, or says something contradictory; the message is for a person."""


@dataclass(frozen=True)
class DirUnit:
    code: str
    name: str
    parent_code: str = ""


@dataclass(frozen=True)
class DirPerson:
    code: str  # staff number (工号): the account's user name
    name: str
    unit_code: str
    post: str = ""
    groups: tuple[str, ...] = ()


@dataclass
class Directory:
    source: str  # what was read, for the preview and the audit event
    units: list[DirUnit] = field(default_factory=list)
    people: list[DirPerson] = field(default_factory=list)


# --- reading a spreadsheet export -----------------------------------------------------------------
COLUMNS = {  # field → the headings an export may give it (compared without spaces and case)
    "type": ("类型", "type", "对象类型"),
    "code": ("编码", "code", "代码", "工号", "单位编码/工号"),
    "name": ("名称", "name", "姓名", "单位名称"),
    "parent_code": ("上级编码", "parent_code", "上级单位编码", "上级代码"),
    "unit_code": ("单位编码", "unit_code", "所属单位编码", "部门编码"),
    "post": ("职务", "post", "岗位"),
    "groups": ("角色组", "groups", "分组", "群组"),
}
UNIT_TYPES = {"单位", "部门", "unit", "机构"}
PERSON_TYPES = {"人员", "person", "用户", "人"}


def read_file(path: Path, name: str) -> Directory:
    """A spreadsheet (CSV in any of the encodings offices export, .xlsx, .xls, .ods) with one row per
    unit or person; the bounded reader of imports refuses hostile files before reading them."""
    from taizhang.sheets.extent import TooLarge
    from taizhang.sheets.reader import UnreadableFile, read_sheet  # the platform's one reader of files

    try:
        rows = [[_cell(v) for v in row] for row in read_sheet(path, max_rows=settings.TAIZHANG_IMPORT_MAX_ROWS).rows]
    except (UnreadableFile, TooLarge) as exc:
        raise SyncError(str(exc)) from exc
    header_at, columns = _header(rows)
    directory = Directory(source=_("file %(name)s") % {"name": name})
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        value = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
        if not any(value.values()):
            continue
        kind = value.get("type", "")
        where = _("row %(row)d") % {"row": number}
        if not value.get("code"):
            raise SyncError(
                _("%(where)s: the code is empty (units and people are matched by code).") % {"where": where}
            )
        if not value.get("name"):
            raise SyncError(_("%(where)s: the name is empty.") % {"where": where})
        if kind.lower() in UNIT_TYPES:
            directory.units.append(DirUnit(value["code"], value["name"], value.get("parent_code", "")))
        elif kind.lower() in PERSON_TYPES:
            groups = tuple(g for g in re.split(r"[;；,，、\s]+", value.get("groups", "")) if g)
            person = DirPerson(value["code"], value["name"], value.get("unit_code", ""), value.get("post", ""), groups)
            directory.people.append(person)
        else:
            raise SyncError(
                _("%(where)s: the type “%(kind)s” is neither 单位 nor 人员.") % {"where": where, "kind": kind}
            )
    return directory


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # calamine reads 1001 as 1001.0
    return normalise_name(str(value)) if value is not None else ""


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    wanted = {key: {w.lower() for w in words} for key, words in COLUMNS.items()}
    for at, row in enumerate(rows[:20]):
        columns = {}
        for i, text in enumerate(row):
            text = re.sub(r"\s+", "", text).lower()
            for key, words in wanted.items():
                if text in words and key not in columns:
                    columns[key] = i
                    break
        if {"type", "code", "name"} <= set(columns):
            return at, columns
    raise SyncError(_("No heading row with 类型, 编码 and 名称 was found in the first 20 rows."))


# --- reading the LDAP directory -------------------------------------------------------------------
def read_ldap() -> Directory:
    """Units (organisational units under TAIZHANG_LDAP_UNIT_BASE, their parent the entry above) and
    people (under TAIZHANG_LDAP_USER_BASE), read with the sign-in's service account."""
    try:
        import ldap
    except ImportError as exc:
        raise SyncError(_("LDAP support is not installed on this server (python-ldap).")) from exc
    if not settings.TAIZHANG_LDAP_SERVER_URI or not settings.TAIZHANG_LDAP_UNIT_BASE:
        raise SyncError(_("The directory is not configured (TAIZHANG_LDAP_SERVER_URI, TAIZHANG_LDAP_UNIT_BASE)."))
    unit_map = {"code": "ou", "name": "description"} | settings.TAIZHANG_LDAP_UNIT_ATTRIBUTES
    person_map = {"username": "uid", "name": "cn", "unit_code": "departmentNumber", "post": "title"}
    person_map |= settings.TAIZHANG_LDAP_ATTRIBUTES
    try:
        conn = ldap.initialize(settings.TAIZHANG_LDAP_SERVER_URI)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        conn.set_option(ldap.OPT_REFERRALS, 0)
        if settings.TAIZHANG_LDAP_START_TLS:
            conn.start_tls_s()
        conn.simple_bind_s(settings.TAIZHANG_LDAP_BIND_DN, settings.TAIZHANG_LDAP_BIND_PASSWORD)
        unit_entries = conn.search_s(
            settings.TAIZHANG_LDAP_UNIT_BASE, ldap.SCOPE_SUBTREE, settings.TAIZHANG_LDAP_UNIT_FILTER
        )
        person_entries = conn.search_s(settings.TAIZHANG_LDAP_USER_BASE, ldap.SCOPE_SUBTREE, "(objectClass=person)")
        group_entries = []
        if settings.TAIZHANG_LDAP_GROUP_BASE:
            group_entries = conn.search_s(settings.TAIZHANG_LDAP_GROUP_BASE, ldap.SCOPE_SUBTREE, "(cn=*)")
        conn.unbind_s()
    except ldap.LDAPError as exc:
        raise SyncError(_("The directory could not be read: %(error)s") % {"error": _ldap_message(exc)}) from exc
    directory = Directory(source=_("directory %(uri)s") % {"uri": settings.TAIZHANG_LDAP_SERVER_URI})
    code_of_dn = {}
    for dn, attrs in unit_entries:
        code = _attr(attrs, unit_map["code"])
        if code:
            code_of_dn[_dn_key(dn)] = code
    for dn, attrs in unit_entries:
        code = code_of_dn.get(_dn_key(dn))
        if not code:
            continue
        parent = code_of_dn.get(_dn_key(_parent_dn(dn)), "")
        directory.units.append(DirUnit(code, _attr(attrs, unit_map["name"]) or _attr(attrs, "ou") or code, parent))
    groups_of = _groups_by_member(group_entries)
    for dn, attrs in person_entries:
        code = _attr(attrs, person_map["username"])
        if not code:
            continue
        directory.people.append(
            DirPerson(
                code,
                _attr(attrs, person_map["name"]) or code,
                _attr(attrs, person_map["unit_code"]),
                _attr(attrs, person_map.get("post", "title")),
                tuple(sorted(groups_of.get(_dn_key(dn), ()))),
            )
        )
    return directory


def _attr(attrs: dict, name: str) -> str:
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return normalise_name(values[0].decode("utf-8", "replace"))
    return ""


def _dn_key(dn: str) -> str:
    return ",".join(part.strip().lower() for part in dn.split(","))


def _parent_dn(dn: str) -> str:
    return dn.split(",", 1)[1] if "," in dn else ""


def _groups_by_member(entries) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for _dn, attrs in entries:
        name = _attr(attrs, "cn")
        for key in ("member", "uniqueMember"):
            for member in attrs.get(key, []):
                groups.setdefault(_dn_key(member.decode("utf-8", "replace")), set()).add(name)
    return groups


def _ldap_message(exc) -> str:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return info.get("desc") or str(exc)


# --- planning -------------------------------------------------------------------------------------
@dataclass
class Change:
    kind: str  # unit.new, unit.rename, unit.move, unit.deactivate, unit.reactivate, person.new, person.update,
    #            person.deactivate, account.new
    code: str
    text: str  # what the preview says, in the user's language
    data: dict = field(default_factory=dict)


@dataclass
class Plan:
    directory: Directory
    changes: list[Change]
    warnings: list[str]
    unmanaged_units: int  # units without a code: not the directory's

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def digest(self) -> str:
        """The changes' fingerprint: the page applies a plan only if it is still the one it showed."""
        text = json.dumps([(c.kind, c.code, c.text, c.data) for c in self.changes], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


KIND_LABELS = {
    "unit.adopt": gettext_lazy("Unit code recorded"),
    "unit.new": gettext_lazy("New unit"),
    "unit.rename": gettext_lazy("Unit renamed"),
    "unit.move": gettext_lazy("Unit moved"),
    "unit.deactivate": gettext_lazy("Unit deactivated"),
    "unit.reactivate": gettext_lazy("Unit active again"),
    "person.new": gettext_lazy("New person"),
    "person.update": gettext_lazy("Person changed"),
    "person.deactivate": gettext_lazy("Person deactivated"),
    "account.new": gettext_lazy("Account opened"),
}


def plan(directory: Directory) -> Plan:
    """What applying `directory` would change, in the order it must be applied (parents first)."""
    warnings = _duplicates(directory)
    units = {u.code: u for u in Unit.objects.exclude(code="")}
    listed = {u.code: u for u in directory.units}
    changes = _unit_changes(listed, units, warnings)
    names = {code: u.name for code, u in units.items()} | {code: d.name for code, d in listed.items()}
    changes += _person_changes(directory.people, names, {code: u.pk for code, u in units.items()}, warnings)
    return Plan(directory, changes, warnings, Unit.objects.filter(code="").count())


def _duplicates(directory: Directory) -> list[str]:
    for items, what in ((directory.units, _("unit code")), (directory.people, _("staff number"))):
        seen = set()
        for item in items:
            if item.code in seen:
                raise SyncError(_("The %(what)s %(code)s appears twice.") % {"what": what, "code": item.code})
            seen.add(item.code)
    return []


def _unit_changes(listed: dict[str, DirUnit], units: dict[str, Unit], warnings: list) -> list[Change]:
    changes = []
    unnamed = _units_without_code()
    code_of = {u.pk: code for code, u in units.items()}  # a unit's code, adopted ones included
    for d in _parents_first(listed, warnings):
        unit = units.get(d.code)
        parent_code = d.parent_code if d.parent_code in listed or d.parent_code in units else ""
        if unit is None and len(unnamed.get(d.name, ())) == 1:
            # In Taizhang before the directory was: its code recorded, then it is the directory's.
            unit = units[d.code] = unnamed[d.name][0]
            code_of[unit.pk] = d.code
            text = _("%(name)s: unit code %(code)s recorded") % {"name": unit.name, "code": d.code}
            changes.append(Change("unit.adopt", d.code, text, {"pk": unit.pk}))
        if unit is None:
            text = d.name
            if parent_code:
                text = _("%(name)s (under %(parent)s)") % {"name": d.name, "parent": _unit_name(parent_code, listed)}
            changes.append(Change("unit.new", d.code, text, {"name": d.name, "parent_code": parent_code}))
            continue
        if not unit.is_active:
            changes.append(Change("unit.reactivate", d.code, unit.name, {}))
        if unit.name != d.name:
            changes.append(Change("unit.rename", d.code, f"{unit.name} → {d.name}", {"name": d.name}))
        current = code_of.get(unit.parent_id, "")
        # A unit under one the directory does not know stays there unless the directory names its parent.
        if current != parent_code and (parent_code or unit.parent_id is None or current):
            old = unit.parent.name if unit.parent_id else _("(top)")
            new = _unit_name(parent_code, listed) if parent_code else _("(top)")
            text = _("%(name)s: %(old)s → %(new)s") % {"name": d.name, "old": old, "new": new}
            changes.append(Change("unit.move", d.code, text, {"parent_code": parent_code}))
    for code, unit in units.items():
        if code not in listed and unit.is_active:
            changes.append(Change("unit.deactivate", code, unit.name, {}))
    return changes


def _units_without_code() -> dict[str, list[Unit]]:
    """Units without a code by each of their names (name, short name, other names)."""
    found: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(code="").select_related("parent"):
        for name in dict.fromkeys([unit.name, unit.short_name, *unit.alias_list()]):
            if name:
                found.setdefault(name, []).append(unit)
    return found


def _parents_first(listed: dict[str, DirUnit], warnings: list) -> list[DirUnit]:
    ordered, placed = [], set()

    def place(d: DirUnit, trail: tuple = ()):
        if d.code in placed:
            return
        if d.code in trail:
            raise SyncError(_("The units %(codes)s are each other's parent.") % {"codes": "、".join(trail)})
        parent = listed.get(d.parent_code)
        if parent is not None:
            place(parent, (*trail, d.code))
        ordered.append(d)
        placed.add(d.code)

    for d in listed.values():
        if d.parent_code and d.parent_code not in listed and not Unit.objects.filter(code=d.parent_code).exists():
            warnings.append(
                _("The parent code %(parent)s of %(name)s names no unit: it is placed at the top.")
                % {"parent": d.parent_code, "name": d.name}
            )
        place(d)
    return ordered


def _unit_name(code: str, listed: dict) -> str:
    return listed[code].name if code in listed else Unit.objects.get(code=code).name


def _person_changes(people: list[DirPerson], unit_names: dict, unit_pks: dict, warnings: list) -> list[Change]:
    from taizhang.org.actions import sso_role  # the role mapping of single sign-on: one rule for both

    stored = {p.code: p for p in Person.objects.exclude(code="").select_related("unit")}
    uncoded = _uncoded_people()
    listed_codes = {d.code for d in people}  # (all accounts read once: an IN of 50,000 names is past SQLite's limit)
    accounts = {a.username: a for a in User.objects.select_related("person") if a.username in listed_codes}
    changes = []
    for d in people:
        if d.unit_code not in unit_names:
            warnings.append(
                _("%(name)s (%(code)s): the unit code %(unit)s names no unit; not synchronised.")
                % {"name": d.name, "code": d.code, "unit": d.unit_code or "—"}
            )
            continue
        person = stored.get(d.code) or _adoptable(d, accounts, uncoded.get((unit_pks.get(d.unit_code), d.name)))
        if person is None:
            changes.append(Change("person.new", d.code, f"{d.name}（{d.code}）", _person_data(d)))
        elif not person.code:  # already in Taizhang without a staff number: the directory's from now on
            text = _("%(name)s: staff number %(code)s recorded") % {"name": person.name, "code": d.code}
            diff = _person_diff(person, d, unit_names, unit_pks)
            data = _person_data(d) | {"pk": person.pk}
            changes.append(Change("person.update", d.code, _joined([text, diff]), data))
        else:
            diff = _person_diff(person, d, unit_names, unit_pks)
            if diff:
                who = f"{person.name}（{d.code}）"
                text = _("%(name)s: %(changes)s") % {"name": who, "changes": diff}
                changes.append(Change("person.update", d.code, text, _person_data(d)))
        grant = sso_role(list(d.groups))
        if d.code not in accounts and grant is not None:
            role, scope = grant
            text = f"{d.name}（{d.code}）：{Role(role).label} · {Scope(scope).label}"
            changes.append(Change("account.new", d.code, text, {"role": role, "scope": scope}))
    for code, person in stored.items():
        if code not in listed_codes and person.is_active:
            changes.append(Change("person.deactivate", code, f"{person.name}（{code}）", {}))
    return changes


def _adoptable(d: DirPerson, accounts: dict, same_name: list[Person] | None) -> Person | None:
    """A person entered before the directory was synchronised: the one linked to the account of that
    user name, or the only one of that name in that unit, without a staff number yet."""
    account = accounts.get(d.code)
    if account is not None and account.person_id and not account.person.code:
        return account.person
    return same_name[0] if same_name and len(same_name) == 1 else None


def _uncoded_people() -> dict[tuple, list[Person]]:
    """People without a staff number by (unit, name): read once for the whole plan."""
    found: dict[tuple, list[Person]] = {}
    for person in Person.objects.filter(code="").select_related("unit"):
        found.setdefault((person.unit_id, person.name), []).append(person)
    return found


def _joined(parts: list[str]) -> str:
    return _("; ").join(p for p in parts if p)


def _person_data(d: DirPerson) -> dict:
    return {"name": d.name, "unit_code": d.unit_code, "post": d.post}


def _person_diff(person: Person, d: DirPerson, unit_names: dict[str, str], unit_pks: dict) -> str:
    parts = []
    if not person.is_active:
        parts.append(_("active again"))
    if person.name != d.name:
        parts.append(_("name %(old)s → %(new)s") % {"old": person.name, "new": d.name})
    if person.unit_id is None or person.unit_id != unit_pks.get(d.unit_code):  # a new unit has no pk yet
        old = person.unit.name if person.unit_id else "—"
        parts.append(_("unit %(old)s → %(new)s") % {"old": old, "new": unit_names[d.unit_code]})
    if person.post != d.post and d.post:
        parts.append(_("post %(old)s → %(new)s") % {"old": person.post or "—", "new": d.post})
    return _joined(parts)
