from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import StyledFormMixin
from taizhang.rectification.models import SOURCE_KINDS, Source, SourceKind


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("ledger file (xlsx, xls, ods, csv, txt)"))
    source = forms.ModelChoiceField(
        queryset=Source.objects.none(),
        required=False,
        label=_("update an existing ledger"),
        help_text=_("Choose one to re-import an edited export; leave empty to create a new ledger."),
    )
    title = forms.CharField(label=_("title of the new ledger"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=SOURCE_KINDS, initial=SourceKind.TOUR)
    feedback_date = forms.DateField(
        label=_("feedback date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Deadlines written without a year take this date's year; read from the sheet if empty."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.managed_by(user)
        limit = settings.TAIZHANG_IMPORT_MAX_MB
        self.fields["file"].widget.attrs["data-max-mb"] = limit  # refused in the browser before it is sent
        self.fields["file"].help_text = _("At most %(mb)s MB a file.") % {"mb": limit}
