"""URL converters shared by the modules' URL confs (registered once, on import)."""

from django.urls import register_converter


class Id:
    """A row id: at most 18 digits. One-to-one keys (a risk's, a campaign's, a list's are their origin's
    or source's) are asked of the database as given: a longer number names nothing (404, no overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(Id, "id")
