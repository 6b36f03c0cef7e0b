"""API request parsing with limits: a JSON body nested past a sane depth is a 400, never a 500.

Python's json module recurses once per nesting level; a body of a few thousand brackets exhausts the
interpreter's stack (RecursionError). No request of this API nests more than a handful of levels.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def depth(value) -> int:
    """How deeply lists and objects nest in a parsed value (iteratively: no recursion of our own)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except RequestDataTooBig:
            raise ParseError(_("The request body is too large.")) from None
        if depth(data) > settings.TAIZHANG_JSON_MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply."))
        return data


__all__ = ["BoundedJSONParser", "depth"]
