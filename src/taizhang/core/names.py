"""Names people read and match on (units, people, accounts): one form for one name, no hidden characters.

A unit named with a right-to-left override or a zero-width space looks like another unit and matches
nothing on import. Such characters (Unicode "format" and control characters) are refused. Then, where
it cannot change what a Chinese reader sees, the text is normalised: NFC throughout, full-width Latin
letters and digits to ASCII (ＡＢＣ１２３ → ABC123, as NFKC does), runs of spaces to one. Full-width
punctuation such as （）、 is kept: NFKC would turn 各县（区）委 into 各县(区)委.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")
_SPACES = re.compile(r"[ \u3000\u00a0]+")
_REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def hidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The refused characters in `text`, as U+XXXX codes (for the error message); a line break only
    where the field holds one name per line."""
    allowed = "\n" if multiline else ""
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in allowed]


def normalise_name(text: str, *, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = _FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")] if multiline else [text]
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    return "\n".join(line for line in lines if line)


def clean_names(obj, fields: list[str], *, multiline: tuple[str, ...] = ()) -> None:
    """Normalise the named text fields of `obj` in place; refuse hidden characters field by field."""
    errors = {}
    for name in fields:
        value = getattr(obj, name, "") or ""
        lines = name in multiline
        found = hidden_characters(value.replace("\r\n", "\n") if lines else value, multiline=lines)
        if found:
            errors[name] = _("Contains invisible or direction-changing characters (%(codes)s); retype it.") % {
                "codes": ", ".join(dict.fromkeys(found))
            }
            continue
        setattr(obj, name, normalise_name(value.replace("\r\n", "\n"), multiline=name in multiline))
    if errors:
        raise ValidationError(errors)
