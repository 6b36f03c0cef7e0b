from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import EditStateMixin, StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, unrestricted
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.rectification.models import Category, Finding, Source
from taizhang.tasks.forms import VersionField


def _scoped_units(form, editor, names):
    """Unit choices limited to the editor's scope: what the actions would refuse is not offered."""
    units = Unit.objects.restrict(editor, MANAGE_LEDGER)
    for name in names:
        form.fields[name].queryset = units


class SourceForm(EditStateMixin, StyledFormMixin, forms.ModelForm):
    inspected_unit = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("inspected unit"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped_units(self, editor, ["inspected_unit"])
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
    new_category = forms.CharField(label=_("or a new category"), required=False)
    found_in = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("found in"))

    class Meta:
        model = Finding
        fields = ["category", "new_category", "number", "text", "found_in"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, source, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(source=source)
        _scoped_units(self, editor, ["found_in"])


class TaskForm(StyledFormMixin, forms.Form):
    finding = forms.ModelChoiceField(queryset=Finding.objects.none(), label=_("finding"), required=False)
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
        _scoped_units(self, editor, ["lead_unit", "partner_units"])
        if not unrestricted(editor):  # offer what the action accepts, nothing else
            people = Person.objects.restrict(editor, MANAGE_LEDGER)
            self.fields["leader"].queryset = self.fields["owner"].queryset = people
            outside = UnitGroup.members.through.objects.exclude(unit__in=Unit.objects.restrict(editor, MANAGE_LEDGER))
            self.fields["partner_groups"].queryset = UnitGroup.objects.exclude(pk__in=outside.values("unitgroup_id"))
        self.fields["version"].required = editing  # a new task has no version yet; an edit must carry one
        self.fields["finding"].queryset = Finding.objects.filter(source=source)
        for name in ("partner_units", "partner_groups"):
            self.fields[name].widget.attrs["size"] = 6
