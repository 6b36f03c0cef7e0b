"""Small helpers the actions layers share."""

import hashlib
import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import audit
from taizhang.core.errors import Conflict

# What a write form without the version (or state) it was read at is told: it cannot overwrite anything.
VERSION_MISSING = gettext_lazy("The form is missing the version it was read at; reload the page and try again.")


def apply_fields(obj, data: dict, fields: list[str]) -> dict:
    """Set the plain fields named in `fields` that `data` carries; return the many-to-many values,
    which can only be set once the object is saved."""
    m2m = {}
    for name in fields:
        if name not in data:
            continue
        if obj._meta.get_field(name).many_to_many:
            m2m[name] = data[name]
        else:
            setattr(obj, name, data[name])
    return m2m


def state_token(obj, fields: list[str]) -> str:
    """What an edit form showed of an object without a version column (units, people, accounts, ledgers):
    a digest of its audited fields. The form carries it back; `check_state` refuses the save if the
    object changed meanwhile, so two editors never silently overwrite each other."""
    text = json.dumps(audit.snapshot(obj, fields), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_state(obj, fields: list[str], token: str | None) -> None:
    """Re-read the object under a row lock and compare it with the form's token (None: a caller that
    read nothing, such as the importer or the demo)."""
    if token is None:
        return
    # the plain manager: a default one may join nullable relations, which PostgreSQL cannot lock FOR UPDATE
    current = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
    now = state_token(current, fields)
    if token != now:
        raise Conflict(_("This was changed by someone else since you opened it. Reload and try again."), now)
