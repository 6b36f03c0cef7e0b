import datetime as dt
import html

from axes.signals import user_locked_out
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


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


class EditStateMixin:
    """An edit form of an object without a version column carries the state it was read in (`version`,
    see `core.writes.state_token`); required on an edit, so a form without it overwrites nothing."""

    def add_edit_state(self):
        from taizhang.core.writes import VERSION_MISSING, state_token

        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=bool(self.instance.pk))
        if self.instance.pk:
            self.fields["version"].error_messages["required"] = VERSION_MISSING
            self.initial["version"] = state_token(self.instance, self._meta.fields)


def username_locked(username: str) -> bool:
    """Failures for this username from every address within the cool-off reach the higher limit.

    Lockout per username and address alone lets a guesser rotate addresses; per username alone at the
    low limit would let anyone lock anyone out. So: the low limit per address (axes), a higher one here.
    """
    from axes.models import AccessAttempt

    since = timezone.now() - dt.timedelta(minutes=settings.TAIZHANG_LOGIN_COOLOFF_MINUTES)
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (failures or 0) >= settings.TAIZHANG_LOGIN_USERNAME_LIMIT


class StyledAuthenticationForm(StyledFormMixin, AuthenticationForm):
    error_messages = AuthenticationForm.error_messages | {
        "username_locked": _("This account is locked after too many failed sign-ins. Try again in %(minutes)d minutes.")
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and username_locked(username):
            user_locked_out.send(sender=type(self), request=self.request, username=username, ip_address="")
            raise forms.ValidationError(
                self.error_messages["username_locked"],
                code="username_locked",
                params={"minutes": settings.TAIZHANG_LOGIN_COOLOFF_MINUTES},
            )
        return super().clean()


class QuickSelect(forms.Select):
    """A select whose options are written in Python, not through a template each.

    Django renders every option with two template includes; a filter bar of a few hundred options
    cost as much as the page's own queries. The markup is the same as Django's select.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Django's own options (`optgroups`) build a dict of attributes per option: read the choices directly.
        chosen = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group: (its name, its options)
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(v, text, chosen) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label escaped

    def _option(self, value, label, chosen: set) -> str:
        value = "" if value is None else str(value)
        selected = value in chosen
        if selected and not self.allow_multiple_selected:
            chosen.clear()  # one option selected, as Django's select marks only the first match
        # html.escape is what django.utils.html.escape runs, without its lazy-string wrapper (per option)
        text = label.__html__() if hasattr(label, "__html__") else html.escape(str(label))
        return f'<option value="{html.escape(value)}"{" selected" if selected else ""}>{text}</option>'


def unit_options(units, chosen=None):
    """The <option>s of a unit picker written in Python (`QuickSelect`'s reason: a province's 3,000
    units through the template engine, or through `format_html` one by one, cost more than the rest of
    the page). Ids are integers; names are escaped."""
    chosen_pk = getattr(chosen, "pk", chosen)
    return mark_safe(  # noqa: S308 - every name escaped, every id an integer
        "".join(
            f'<option value="{int(pk)}"{" selected" if pk == chosen_pk else ""}>{escape(name)}</option>'
            for pk, name in units.values_list("pk", "name")
        )
    )
