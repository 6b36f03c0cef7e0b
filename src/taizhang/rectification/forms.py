from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import EditStateMixin, StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER
from taizhang.org.forms import UnitChoiceField, scoped_units
from taizhang.org.models import Unit, UnitGroup
from taizhang.rectification.models import SOURCE_KINDS, Category, Finding, Source


class SourceForm(EditStateMixin, StyledFormMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=SOURCE_KINDS)
    inspected_unit = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("inspected unit"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        scoped_units(self, editor, ["inspected_unit"])
        self.add_edit_state()

    class Meta:
        model = Source
        fields = ["kind", "title", "issuer", "inspected_unit", "feedback_date", "report_due_date"]
        widgets = {
            "feedback_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "report_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"report_due_date": _("Leave empty for the feedback date plus the configured months.")}


class FindingForm(StyledFormMixin, forms.ModelForm):
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("category"))
    new_category = forms.CharField(label=_("or a new category"), required=False)
    found_in = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("found in"))

    class Meta:
        model = Finding
        fields = ["category", "new_category", "number", "text", "found_in"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, source, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(source=source)
        scoped_units(self, editor, ["found_in"])


class FindingEditForm(FindingForm):
    class Meta(FindingForm.Meta):
        fields = ["category", "new_category", "number", "text", "found_in"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=True)
        from taizhang.core.writes import VERSION_MISSING, state_token
        from taizhang.rectification.actions import FINDING_FORM_FIELDS

        self.fields["version"].error_messages["required"] = VERSION_MISSING
        self.initial["version"] = state_token(self.instance, FINDING_FORM_FIELDS)


class DeleteForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class LessonForm(StyledFormMixin, forms.Form):
    """举一反三: the units asked to check themselves, and by when."""

    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    instructions = forms.CharField(label=_("instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    groups = forms.ModelMultipleChoiceField(queryset=UnitGroup.objects.all(), required=False, label=_("unit groups"))
    subtrees = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("units and their subordinates")
    )
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.none(), required=False, label=_("units"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True).order_by("path")
        self.fields["units"].queryset = self.fields["subtrees"].queryset = units
        for name in ("units", "subtrees", "groups"):
            self.fields[name].widget.attrs["size"] = 6


class ReplyForm(StyledFormMixin, forms.Form):
    """A unit's self-check result: nothing alike found, or the problems it found (one a line)."""

    result = forms.ChoiceField(
        label=_("result"),
        widget=forms.RadioSelect,
        choices=[("nil", _("nothing alike found")), ("found", _("problems found (listed below)"))],
    )
    found = forms.CharField(
        label=_("problems found, one a line"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label=_("how the unit checked"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        lines = [line for line in (data.get("found") or "").splitlines() if line.strip()]
        if data.get("result") == "found" and not lines:
            self.add_error("found", _("List the problems found, one a line."))
        if data.get("result") == "nil" and lines:
            self.add_error("found", _("A nil result lists no problem: choose “problems found”."))
        data["lines"] = lines if data.get("result") == "found" else []
        return data
