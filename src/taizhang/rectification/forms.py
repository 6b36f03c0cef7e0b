from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import EditStateMixin, StyledFormMixin
from taizhang.org.forms import UnitChoiceField, scoped_units
from taizhang.org.models import Unit
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
