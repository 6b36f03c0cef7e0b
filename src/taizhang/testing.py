"""Persona helpers for tests: the demo organisation and one logged-in client per role.

As in healthchecks, tests speak of people: `office` coordinates everything, `liaison` reports for
市委宣传部, `county` sees 东城区委 and below, `leader` sees what they answer for, `viewer` reads.
"""

from django.test import Client

from taizhang.org.demo import DEMO_PASSWORD, build_org
from taizhang.org.models import Unit, User

PERSONAS = ("admin", "office", "leader", "unithead", "liaison", "county", "viewer")


def build_demo_org() -> dict[str, User]:
    build_org()
    return {u.username: u for u in User.objects.filter(username__in=PERSONAS).select_related("unit", "person")}


def client_for(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


__all__ = ["DEMO_PASSWORD", "PERSONAS", "build_demo_org", "client_for", "unit"]
