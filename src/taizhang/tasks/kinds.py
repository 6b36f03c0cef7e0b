"""What the engine's ledger pages offer for each kind of source: the pages of the module that owns the
kind (editing the source, adding an origin, its report), registered by that module in its
AppConfig.ready. The engine links to them by URL name and imports none of them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SourcePages:
    create: str = ""  # URL name: a new source of this module (the ledgers page's button)
    create_label: str = ""
    edit: str = ""  # URL names taking the source's id
    add_origin: str = ""
    add_origin_label: str = ""
    report: str = ""
    report_label: str = ""
    record: str = ""  # URL name taking a task's id: the module's page of what the task asks for
    record_label: str = ""


_PAGES: dict[str, SourcePages] = {}


def register(kinds, pages: SourcePages) -> None:
    for kind in kinds:
        _PAGES[kind] = pages


def pages_for(kind: str) -> SourcePages:
    return _PAGES.get(kind, SourcePages())


def creators() -> list[SourcePages]:
    """One entry per module that makes sources by hand, in the order the modules registered."""
    seen, found = set(), []
    for pages in _PAGES.values():
        if pages.create and pages.create not in seen:
            seen.add(pages.create)
            found.append(pages)
    return found


@dataclass(frozen=True)
class OriginPages:
    label: str = ""  # what the task page calls its origin (问题, 风险点)
    detail: str = ""  # URL name taking the origin's id: the module's page of it


_ORIGINS: dict[str, OriginPages] = {}


def register_origin(kind: str, pages: OriginPages) -> None:
    _ORIGINS[kind] = pages


def origin_pages(kind: str) -> OriginPages:
    return _ORIGINS.get(kind, OriginPages())


_RECORD_CLOSED: list = []


def register_record_closed(test) -> None:
    """`test(task)`: the task is completed by a module's own record (`actions.fulfil`), never by the
    close-out steps (a campaign's return, a risk's review due)."""
    _RECORD_CLOSED.append(test)


def closed_by_record(task) -> bool:
    return any(test(task) for test in _RECORD_CLOSED)
