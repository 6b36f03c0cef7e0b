from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, unrestricted
from taizhang.core.writes import VERSION_MISSING
from taizhang.org.forms import UnitChoiceField, scoped_units
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.tasks.origins import Origin


class VersionField(forms.IntegerField):
    """The task version the form was read at: required, so a form without it can never overwrite a change
    made since (optimistic locking is not optional)."""

    widget = forms.HiddenInput
    default_error_messages = {"required": VERSION_MISSING}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


TOO_LONG = _("At most %(limit_value)d characters (this one has %(show_value)d).")


class LimitedTextMixin:
    """Free texts (progress, notes, reasons) at most TAIZHANG_TEXT_MAX_CHARS long, counted down in the
    browser (`data-counter`, taizhang.js) and checked here and by the action."""

    limited = ("text", "note", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.TAIZHANG_TEXT_MAX_CHARS
        for name in self.limited:
            if name in self.fields:
                field = self.fields[name]
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit, message=TOO_LONG))
                field.widget.attrs.update({"maxlength": limit, "data-counter": limit})


class ProgressForm(LimitedTextMixin, StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("percent done"), required=False, min_value=0, max_value=100)
    files = MultipleFileField(label=_("evidence files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.TAIZHANG_UPLOAD_MAX_MB
        self.fields["files"].widget.attrs["data-max-mb"] = limit  # checked in the browser before sending
        self.fields["files"].help_text = _("At most %(mb)s MB a file.") % {"mb": limit}

    version = VersionField()


class TransitionForm(LimitedTextMixin, StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_review_date = forms.DateField(
        label=_("next review"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = VersionField()


class ExtensionForm(LimitedTextMixin, StyledFormMixin, forms.Form):
    new_date = forms.DateField(label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class DecisionForm(LimitedTextMixin, forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
    note = forms.CharField(required=False)
    version = VersionField()


class TaskForm(StyledFormMixin, forms.Form):
    origin = forms.ModelChoiceField(queryset=Origin.objects.none(), label=_("finding"), required=False)
    measure = forms.CharField(label=_("measure"), widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.CharField(label=_("target"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = UnitChoiceField(queryset=Unit.objects.all(), label=_("lead unit"))
    partner_units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.all(), required=False, label=_("partner units")
    )
    partner_groups = forms.ModelMultipleChoiceField(
        queryset=UnitGroup.objects.all(), required=False, label=_("partner groups")
    )
    leader = forms.ModelChoiceField(queryset=Person.objects.all(), required=False, label=_("responsible leader"))
    leader_text = forms.CharField(label=_("or the leader's post"), required=False)
    owner = forms.ModelChoiceField(queryset=Person.objects.all(), required=False, label=_("person responsible"))
    owner_text = forms.CharField(label=_("or the person as written"), required=False, max_length=200)
    deadline = forms.CharField(
        label=_("deadline"),
        help_text=_("As written: 立行立改, 2024年6月底前, 长期坚持, 每季度, 2024年底前并长期坚持 …"),
    )
    note = forms.CharField(label=_("remarks"), required=False)
    # shown once the deadline could not be read: ticked, the text is kept as written (待定时限)
    accept_unread = forms.BooleanField(
        label=_("Keep the deadline as written; the task will need a date"), required=False, widget=forms.HiddenInput
    )
    version = VersionField(required=False)

    def __init__(self, *args, source, editor, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        scoped_units(self, editor, ["lead_unit", "partner_units"])
        if not unrestricted(editor):  # offer what the action accepts, nothing else
            people = Person.objects.restrict(editor, MANAGE_LEDGER)
            self.fields["leader"].queryset = self.fields["owner"].queryset = people
            outside = UnitGroup.members.through.objects.exclude(unit__in=Unit.objects.restrict(editor, MANAGE_LEDGER))
            self.fields["partner_groups"].queryset = UnitGroup.objects.exclude(pk__in=outside.values("unitgroup_id"))
        self.fields["version"].required = editing  # a new task has no version yet; an edit must carry one
        self.fields["origin"].queryset = Origin.objects.filter(source=source)
        for name in ("partner_units", "partner_groups"):
            self.fields[name].widget.attrs["size"] = 6
