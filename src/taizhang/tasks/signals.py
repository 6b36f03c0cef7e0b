"""What the engine tells the modules above it, without importing them.

`task_event` is sent inside the action's transaction, after the step, request or decision is stored and
before its audit event is written: a receiver's writes (the notification module's messages to the next
person) commit or roll back with the step itself, and what a receiver returns (the accounts it told) is
recorded in the step's audit event.

Arguments: task, event (a `Step` value, or one of the EXTENSION_* names below), by (the acting user, None
for the system), note (the step's note or the request's reason), key (unique for this event: a message
sent for it is sent once), extension (the Extension, for the extension events).
"""

from django.dispatch import Signal

EXTENSION_REQUEST = "extension_request"
EXTENSION_APPROVED = "extension_approved"
EXTENSION_REJECTED = "extension_rejected"

task_event = Signal()


def announce(task, event: str, *, by, note: str, key: str, extension=None) -> list[str]:
    """Send `task_event`; the names of everyone the receivers told (for the audit event)."""
    told: list[str] = []
    for _receiver, names in task_event.send(
        sender=type(task), task=task, event=event, by=by, note=note, key=key, extension=extension
    ):
        told.extend(names or ())
    return told
