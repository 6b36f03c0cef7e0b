"""The responsibility system's forms: a list, an item, a meeting, a decision, a meeting counted."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, SIGN_OFF, Scope, unrestricted
from taizhang.duties import actions
from taizhang.duties.models import Body, BodyKind, MeetingKind, Subject, TrainingLayer
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Person, Unit

DATE = {"type": "date"}
DAY = "%Y-%m-%d"


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{'　' * unit.depth}{unit.name}"


def minuting_units(user):
    """The units whose meetings `user` may minute: its own scope, as a liaison, a head or an office (an
    own-items account answers for no unit: none, as `actions.record_meeting` rules)."""
    found = Unit.objects.none()
    if not unrestricted(user) and user.scope == Scope.OWN:
        return found
    for right in (REPORT_PROGRESS, SIGN_OFF, MANAGE_LEDGER):
        found = found | Unit.objects.restrict(user, right)
    return found.filter(is_active=True).distinct().order_by("path")


class ListForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)
    issuer = forms.CharField(label=_("issued by"), required=False, max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    starts_on = forms.DateField(label=_("counts from"), widget=forms.DateInput(attrs=DATE, format=DAY))
    common = forms.BooleanField(label=_("common list (issued to a set of units)"), required=False, initial=True)
    units = UnitsField(queryset=Unit.objects.none(), label=_("units"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        today = dt.date.today()
        self.fields["year"].initial = today.year
        self.fields["starts_on"].initial = today
        self.fields["units"].queryset = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True)
        self.fields["units"].widget.attrs["size"] = 8


class YearUnitsForm(StyledFormMixin, forms.Form):
    """A year and the units an office issues something to (within its own scope)."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    units = UnitsField(queryset=Unit.objects.none(), label=_("units"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = dt.date.today().year
        self.fields["units"].queryset = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True)
        self.fields["units"].widget.attrs["size"] = 8


class InclusionsForm(YearUnitsForm):
    deadline = forms.CharField(label=_("time limit"), max_length=100, initial="年底前")
    field_order = ["year", "deadline", "units"]


class LettersForm(InclusionsForm):
    subject = forms.ChoiceField(label=_("subject"), choices=Subject.choices, initial=Subject.ORGANISATION)
    field_order = ["year", "subject", "deadline", "units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = "3月底前"


class SignForm(StyledFormMixin, forms.Form):
    signer = forms.CharField(label=_("signed by"), max_length=100)
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs=DATE, format=DAY))
    scan = forms.FileField(label=_("scan of the signed letter (PDF or image)"))


class ItemForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("requirement (要求)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    subject = forms.ChoiceField(label=_("subject"), choices=Subject.choices, initial=Subject.ORGANISATION)
    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("leadership member"))
    areas = forms.CharField(label=_("areas in charge"), required=False, max_length=300)
    frequency = forms.CharField(
        label=_("frequency or deadline"),
        max_length=100,
        help_text=_("每季度, 每半年至少2次, 每月, 每年至少1次, 年底前, 6月底前"),
    )
    supervisor = forms.CharField(label=_("supervised by (监督主体)"), required=False, max_length=200)
    done_when = forms.CharField(
        label=_("what counts as done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, editor, duty_list, **kwargs):
        super().__init__(*args, **kwargs)
        if duty_list.common:  # its 一岗双责 items are every unit's members': no one person to name
            del self.fields["person"]
            self.fields["subject"].help_text = _(
                "On a list issued to units, a leadership member's item is for every unit's members."
            )
            return
        people = Person.objects.restrict(editor).filter(unit__in=duty_list.units.values("pk"))
        self.fields["person"].queryset = people.order_by("name")


def held_by(form, editor) -> None:
    """A record's unit among those the editor may minute for (its own first), today, people in scope."""
    units = minuting_units(editor)
    form.fields["unit"].queryset = units
    if editor.unit_id and units.filter(pk=editor.unit_id).exists():
        form.fields["unit"].initial = editor.unit_id
    form.fields["date"].initial = dt.date.today()
    form.fields["attendees"].queryset = Person.objects.restrict(editor).order_by("unit__path", "name")
    form.fields["attendees"].widget.attrs["size"] = 6


class MeetingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("unit"))
    body = forms.ModelChoiceField(
        queryset=Body.objects.none(), required=False, label=_("meeting of the working body (if any)")
    )
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs=DATE, format=DAY))
    topics = forms.CharField(label=_("topics"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    chair = forms.CharField(label=_("chaired by"), required=False, max_length=100)
    attendees = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False, label=_("attendees"))
    absences = forms.CharField(
        label=_("absent, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line, e.g. 张伟：出差"),
    )
    minutes = forms.CharField(label=_("minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    minutes_file = forms.FileField(label=_("minutes file (signed minutes, PDF or Word)"), required=False)
    materials = forms.CharField(label=_("study materials"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        held_by(self, editor)
        self.fields["body"].queryset = Body.objects.restrict(editor).order_by("name")

    def clean(self):
        """Absent people named one a line: each a person the editor sees, the rest kept as written."""
        data = super().clean()
        people = self.fields["attendees"].queryset
        data["absences"], data["absence_note"] = actions.read_absences(data.get("absences", ""), people)
        absent = {person.pk for person, _reason in data["absences"]}
        # someone named absent is not there, even if left selected (the body's representatives come preselected)
        data["attendees"] = [p for p in data.get("attendees") or [] if p.pk not in absent]
        return data


class DecisionForm(StyledFormMixin, forms.Form):
    measure = forms.CharField(label=_("decision (议定事项)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    lead_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("lead unit"))
    leader = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("responsible leader"))
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("person responsible"))
    deadline = forms.CharField(
        label=_("time limit"), max_length=200, help_text=_("e.g. 年底前, 2027年6月30日, 长期坚持")
    )

    def __init__(self, *args, editor, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = Unit.objects.restrict(editor).filter(is_active=True).order_by("path")
        self.fields["lead_unit"].initial = meeting.unit_id
        self.fields["leader"].queryset = self.fields["owner"].queryset = Person.objects.restrict(editor)


class CountForm(StyledFormMixin, forms.Form):
    item = forms.ChoiceField(label=_("counts for the item"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, f"{i.duty_list.year} · {i.origin.text[:50]}") for i in items]


class TrainingForm(StyledFormMixin, forms.Form):
    layer = forms.ModelChoiceField(queryset=TrainingLayer.objects.all(), label=_("layer"))
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("organising unit"))
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs=DATE, format=DAY))
    hours = forms.DecimalField(label=_("hours"), min_value=0.5, max_value=200, decimal_places=1, initial=2)
    topic = forms.CharField(label=_("topic"), max_length=300)
    organiser = forms.CharField(label=_("organised by"), required=False, max_length=200)
    attendees = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False, label=_("trainees"))
    materials = forms.CharField(label=_("materials"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        held_by(self, editor)


class AttendanceForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("attendance sheet (xlsx, xls, ods, csv; a 姓名 column)"))


class InspectionForm(YearUnitsForm):
    title = forms.CharField(label=_("title"), max_length=300, required=False)
    issuer = forms.CharField(label=_("issued by"), required=False, max_length=200)
    field_order = ["title", "issuer", "year", "units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].label = _("units inspected")


class FindingForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("unit"))
    text = forms.CharField(label=_("problem found"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    measure = forms.CharField(label=_("measure"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    deadline = forms.CharField(
        label=_("time limit"), max_length=200, help_text=_("e.g. 年底前, 2027年6月30日, 长期坚持")
    )

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = inspection.units.order_by("path")


class BodyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=BodyKind.choices, initial=BodyKind.JOINT)
    lead_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("lead unit"))
    duties = forms.CharField(label=_("remit (职责)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    set_up_on = forms.DateField(label=_("set up on"), required=False, widget=forms.DateInput(attrs=DATE, format=DAY))
    rules = forms.FileField(label=_("rules (工作规则), a file"), required=False)

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True).order_by("path")
        self.fields["lead_unit"].queryset = units


class MemberForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("member unit"))
    representative = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("representative"))
    part = forms.CharField(label=_("part"), required=False, max_length=50, help_text=_("e.g. 召集单位, 成员单位"))

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True).order_by("path")
        self.fields["unit"].queryset = units
        people = Person.objects.restrict(editor).filter(unit__in=units).select_related("unit")
        self.fields["representative"].queryset = people.order_by("unit__path", "name")
        self.fields["representative"].label_from_instance = lambda p: f"{p.name}（{p.unit.name}）"


class RulesForm(StyledFormMixin, forms.Form):
    rules = forms.FileField(label=_("rules (工作规则), a file"))


class LayerForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    required_hours = forms.DecimalField(label=_("required hours a year"), min_value=0, max_value=500, decimal_places=1)
    position = forms.IntegerField(label=_("order"), min_value=0, max_value=1000, required=False)
