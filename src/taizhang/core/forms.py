from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates render forms with one loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledAuthenticationForm(StyledFormMixin, AuthenticationForm):
    pass
