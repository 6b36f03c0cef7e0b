from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import EditStateMixin, StyledFormMixin
from taizhang.core.permissions import MANAGE_ACCOUNTS, MANAGE_LEDGER, MANAGE_ORG, Scope, unrestricted
from taizhang.org.models import Person, Unit, UnitGroup, User


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{'　' * unit.depth}{unit.name}"


class ScopedForm(EditStateMixin, StyledFormMixin, forms.ModelForm):
    """Unit choices limited to the editor's scope; an edit carries the state it was read in (`version`)."""

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_edit_state()
        units = Unit.objects.restrict(editor, MANAGE_ORG)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Unit:
                field.queryset = units
            if name == "members":
                field.queryset = units


class UnitForm(ScopedForm):
    parent = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("parent unit"))

    class Meta:
        model = Unit
        fields = ["name", "short_name", "code", "aliases", "kind", "parent", "sort_order", "is_active"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 2})}


class GroupForm(ScopedForm):
    class Meta:
        model = UnitGroup
        fields = ["name", "description", "members"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "members": forms.SelectMultiple(attrs={"size": 12}),
        }


class PersonForm(ScopedForm):
    unit = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("unit"))

    class Meta:
        model = Person
        fields = ["name", "code", "post", "unit", "phone", "email", "is_active"]


class AccountForm(ScopedForm):
    # One 姓名 field (Chinese names are not split into given and family name): kept in last_name.
    full_name = forms.CharField(label=_("full name"), required=False, max_length=150)
    unit = UnitChoiceField(queryset=Unit.objects.all(), required=False, label=_("unit"))
    password = forms.CharField(
        label=_("new password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "scope", "unit", "person", "is_active"]

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, editor=editor, **kwargs)
        # Offer only what the editor may grant; the action refuses anything else whatever is posted.
        if not unrestricted(editor):
            allowed = {Scope.SUBTREE: {Scope.SUBTREE, Scope.UNIT, Scope.OWN}, Scope.UNIT: {Scope.UNIT, Scope.OWN}}
            keep = allowed.get(editor.scope, {Scope.OWN})
            self.fields["scope"].choices = [c for c in self.fields["scope"].choices if c[0] in keep]
        self.fields["person"].queryset = Person.objects.restrict(editor, MANAGE_ACCOUNTS)
        del self.fields["first_name"], self.fields["last_name"]
        if self.instance.pk:
            self.fields["full_name"].initial = f"{self.instance.last_name}{self.instance.first_name}"
        self.order_fields(["username", "full_name", "email", "role", "scope", "unit", "person", "is_active"])

    def clean(self):
        data = super().clean()
        data["last_name"], data["first_name"] = (data.get("full_name") or "").strip(), ""
        return data

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            password_validation.validate_password(password, self.instance)
        return password


def scoped_units(form, editor, names):
    """Unit choices limited to the editor's scope: what the actions would refuse is not offered."""
    units = Unit.objects.restrict(editor, MANAGE_LEDGER)
    for name in names:
        form.fields[name].queryset = units
