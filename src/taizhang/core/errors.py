"""Errors raised by the actions layer, mapped to HTTP by views and the API."""


class Conflict(Exception):
    """The object changed since the caller read it (optimistic lock): reload and retry."""

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.current_version = current_version
