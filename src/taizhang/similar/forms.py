from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import StyledFormMixin
from taizhang.similar.panel import YEAR_CHOICES


class PanelForm(StyledFormMixin, forms.Form):
    """The similar-findings panel's filters: rounds of the last N years, the same category only."""

    years = forms.TypedChoiceField(
        label=_("rounds of"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("all years")), *((n, _("the last %(n)s years") % {"n": n}) for n in YEAR_CHOICES)],
    )
    same_category = forms.BooleanField(label=_("same category only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].widget.attrs.update(
            {"class": "form-select form-select-sm w-auto", "aria-label": _("rounds of")}
        )
        self.fields["same_category"].widget.attrs["class"] = "form-check-input"

    def choice(self) -> tuple[int | None, bool]:
        if not self.is_bound or not self.is_valid():
            return None, False
        return self.cleaned_data["years"], self.cleaned_data["same_category"]


class DecideForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("why it is not a repeat (needed to dismiss)")}),
    )
