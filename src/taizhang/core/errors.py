"""Errors raised by the actions layer, mapped to HTTP by views and the API."""

from django.http import Http404


class Conflict(Exception):
    """The object changed since the caller read it (optimistic lock): reload and retry."""

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.current_version = current_version


class OutOfScope(Http404):
    """The object lies outside the actor's data scope. A 404 to views and API alike, as if it did not
    exist: an out-of-scope caller learns nothing about it (raised by the actions layer itself, so an
    importer, a job or a new module's API cannot forget the check the views make)."""
