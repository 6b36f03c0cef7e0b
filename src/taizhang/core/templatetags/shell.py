"""Tags of the page shell (the header every page carries)."""

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=256)
def _reversed(prefix: str, urlconf, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args or None)  # (reverse reads the same prefix)


@register.simple_tag
def shell_url(name: str, *args) -> str:
    """`{% url %}` for the header's links: the same address, reversed once per process, script prefix
    and URLconf rather than on every page (two dozen reversals were a third of the base template)."""
    return _reversed(get_script_prefix(), get_urlconf(), name, tuple(str(a) for a in args))
