"""Filtering shared by every list page and the API: one FilterSet base with strict and lenient fields.

- An id filter (`IdFilter`, every foreign key by default) treats a well-formed id that names nothing the
  user may see as "no rows", not as an error: a link into another scope, or an API query with an id
  from elsewhere, answers with an empty list. A value that is not an id at all is still an error.
- A yes/no filter (`StrictBooleanFilter`, every boolean field by default) refuses anything but
  true/false/1/0 instead of quietly ignoring it, as django-filter's would.
"""

import copy
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import fields
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field

from taizhang.core.forms import QuickSelect

DIGITS = re.compile(r"-?[0-9]{1,4000}")  # int() refuses longer digit strings
ID_MAX = 2**63 - 1  # the largest key a database column holds; a longer number names nothing
NO_MATCH = object()


def whole_number(value) -> int | None:
    """A whole number from a request (an id, a version), or None: ASCII digits only, at most 18 of them
    (str.isdigit() also takes "³", which int() refuses; a longer number overflows a database column)."""
    text = str(value if value is not None else "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


class ColumnChoiceIterator(ModelChoiceIterator):
    """A select's options read as columns (id and the label's columns) rather than as model instances:
    a filter bar offers a few hundred of them on every list page, and building an instance each cost
    more than the list's own rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_columns
        for pk, *columns in self.queryset.values_list("pk", *self.field.label_columns):
            yield (pk, label(*columns))


class LenientModelChoiceField(fields.ModelChoiceField):
    """`label_columns`: the columns an option's label is made of (`label_from_columns`), read without
    building instances; without them, options are labelled by `str()` of each instance."""

    label_columns: tuple = ()

    def __init__(self, *args, label_columns: tuple = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.label_columns = label_columns or self.label_columns
        if self.label_columns:
            self.iterator = ColumnChoiceIterator

    def label_from_columns(self, *columns) -> str:
        return columns[0]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if DIGITS.fullmatch(text):  # ASCII digits only (see whole_number)
            number = int(text)
            if not 0 < number <= ID_MAX:
                return NO_MATCH
            try:
                return self.queryset.get(pk=number)
            except self.queryset.model.DoesNotExist:
                return NO_MATCH
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def validate(self, value):
        if value is not NO_MATCH:
            super().validate(value)

    def prepare_value(self, value):
        return "" if value is NO_MATCH else super().prepare_value(value)


class IdFilter(django_filters.ModelChoiceFilter):
    field_class = LenientModelChoiceField

    def filter(self, qs, value):
        if value is NO_MATCH:
            return qs.none()
        return super().filter(qs, value)


# A select of units (a province has thousands): the options read as columns and written in Python.
UNIT_SELECT = {"label_columns": ("name",), "widget": QuickSelect}


class RawBooleanSelect(forms.NullBooleanSelect):
    """The yes/no select, handing the submitted text to the field as it came (the stock widget turns
    anything it does not know into "any")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class YesNoSelect(RawBooleanSelect):
    """The yes/no select of a filter bar: 全部 / 是 / 否 (not the stock 未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("all")), ("true", _("yes")), ("false", _("no"))]


class StrictBooleanField(forms.NullBooleanField):
    widget = RawBooleanSelect

    TRUE, FALSE = {"true", "1", "True", "on", "yes"}, {"false", "0", "False", "off", "no"}

    def to_python(self, value):
        if value in (None, "", "unknown"):
            return None
        if value is True or value is False:
            return value
        if str(value) in self.TRUE:
            return True
        if str(value) in self.FALSE:
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class SearchField(forms.CharField):
    """Search text: NUL characters (which no database column holds) are dropped, not an error."""

    default_validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class FilterSet(django_filters.FilterSet):
    """Strict and lenient fields by default; the form's controls styled and sized for a filter bar."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """django-filter's own, but each filter copied shallowly: it deep-copies every filter with its
        querysets and choice lists (a fifth of a list page's filter bar), while what a request changes
        is a filter's attributes, its `extra` and the field it builds, which each copy gets of its own."""
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset, self.request, self.form_prefix = queryset, request, prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            own = copy.copy(base)
            own.extra = dict(base.extra)
            own.__dict__.pop("_field", None)
            if base.method is not None:
                own.method = base.method  # its FilterMethod calls the method on this copy's parent
            own.model, own.parent = queryset.model, self
            self.filters[name] = own

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            for f in form.fields.values():
                widget = f.widget
                if isinstance(widget, forms.HiddenInput):
                    continue
                css = (
                    "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
                )
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            form.styled = True
        return form

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.CharField: {"filter_class": SearchFilter},
        models.TextField: {"filter_class": SearchFilter},
        models.ForeignKey: {**FILTER_FOR_DBFIELD_DEFAULTS[models.ForeignKey], "filter_class": IdFilter},
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


def filtered(filterset):
    """The filtered rows, or none when a filter value is invalid (the API's answer: a 400 names it).

    django-filter drops an invalid value and filters on the rest, which would show a list that looks
    filtered but is not.
    """
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def filtered_page(filterset):
    """A page's rows: filtered by every valid value, the invalid ones shown beside their fields (the
    filter bar says which condition was not applied, so the list never looks filtered when it is not)."""
    if filterset.is_valid():
        return filterset.qs
    valid = filterset.data.copy()
    for name in filterset.errors:
        valid.pop(name, None)
    again = type(filterset)(valid, queryset=filterset.queryset, request=filterset.request)
    for name, f in filterset.filters.items():  # the caller's narrowed choices (one ledger's categories)
        if hasattr(f, "queryset") and name in again.filters:
            again.filters[name].queryset = f.queryset
    return again.qs


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 9999})
class WholeNumberFilter(django_filters.NumberFilter):
    """A small whole number (a scale position): anything else is a filter error, not a 500."""

    field_class = forms.IntegerField
    least = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=self.least, max_value=9999, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(WholeNumberFilter):
    least = 1  # a date has no year 0
