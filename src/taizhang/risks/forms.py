from django import forms as djforms
from django.utils.translation import gettext_lazy as _

from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, grants
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.risks.matrix import Scheme
from taizhang.risks.models import AssessmentKind, RiskMatrix
from taizhang.tasks.forms import MultipleFileField, VersionField
from taizhang.tasks.origins import Category, SourceKind

DATE = {"type": "date"}
LEVEL_WORDS = {"重大": "major", "较大": "high", "一般": "general", "低": "low"}  # as a grid line names them
DAY = "%Y-%m-%d"  # the format a date input reads its value in


class RiskForm(StyledFormMixin, djforms.Form):
    text = djforms.CharField(
        label=_("risk point (风险点)"), widget=djforms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    category = djforms.ModelChoiceField(queryset=Category.objects.none(), label=_("risk area"), required=False)
    new_category = djforms.CharField(label=_("or a new risk area"), required=False, max_length=200)
    number = djforms.CharField(label=_("number"), required=False, max_length=20)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("responsible unit"))
    forms = djforms.CharField(
        label=_("how it shows (表现形式)"), required=False, widget=djforms.Textarea(attrs={"rows": 2})
    )
    posts = djforms.CharField(label=_("posts concerned"), required=False, max_length=300)
    controls = djforms.CharField(
        label=_("controls in place (防控措施)"), required=False, widget=djforms.Textarea(attrs={"rows": 2})
    )
    owner = djforms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("person responsible"))
    owner_text = djforms.CharField(label=_("or the person as written"), required=False, max_length=200)
    leader = djforms.ModelChoiceField(queryset=Person.objects.none(), required=False, label=_("responsible leader"))
    leader_text = djforms.CharField(label=_("or the leader's post"), required=False, max_length=200)
    version = VersionField(required=False)

    def __init__(self, *args, editor, editing=False, fixed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(source__kind=SourceKind.RISK_REGISTER).order_by(
            "position"
        )
        units = Unit.objects.restrict(editor, REPORT_PROGRESS) | Unit.objects.restrict(editor, MANAGE_LEDGER)
        self.fields["unit"].queryset = units.distinct()
        people = Person.objects.restrict(editor)
        self.fields["owner"].queryset = self.fields["leader"].queryset = people
        self.fields["version"].required = editing
        if fixed_unit is not None:  # a campaign return's risks are its unit's
            del self.fields["unit"]
        if not grants(editor, MANAGE_LEDGER):  # the areas are the office's to add
            del self.fields["new_category"]
        if not editing:
            del self.fields["version"]


class AssessmentForm(StyledFormMixin, djforms.Form):
    kind = djforms.ChoiceField(label=_("kind"), choices=AssessmentKind.choices, initial=AssessmentKind.INHERENT)
    likelihood = djforms.TypedChoiceField(label=_("likelihood"), coerce=int, choices=())
    impact = djforms.TypedChoiceField(label=_("impact"), coerce=int, choices=())
    exposure = djforms.TypedChoiceField(label=_("exposure"), coerce=int, choices=(), required=False, empty_value=None)
    reason = djforms.CharField(label=_("reason"), required=False, widget=djforms.Textarea(attrs={"rows": 2}))
    assessed_on = djforms.DateField(
        label=_("assessed on"), required=False, widget=djforms.DateInput(attrs=DATE, format=DAY)
    )
    version = VersionField(required=False)

    def __init__(self, *args, matrix: RiskMatrix, with_kind=True, **kwargs):
        super().__init__(*args, **kwargs)
        config = matrix.config
        if matrix.scheme == Scheme.MATRIX:
            self.fields["likelihood"].choices = [(i, f"{i} {label}") for i, label in enumerate(config["likelihood"], 1)]
            self.fields["impact"].choices = [(i, f"{i} {label}") for i, label in enumerate(config["impact"], 1)]
            del self.fields["exposure"]
        else:
            for name, axis in (("likelihood", "likelihood"), ("impact", "consequence"), ("exposure", "exposure")):
                options = config[axis]
                self.fields[name].choices = [(i, f"{o['value']} {o['label']}") for i, o in enumerate(options, 1)]
            self.fields["impact"].label = _("consequence")
            self.fields["exposure"].required = True
        if not with_kind:
            del self.fields["kind"]


class ReviewForm(StyledFormMixin, djforms.Form):
    date = djforms.DateField(label=_("date"), widget=djforms.DateInput(attrs=DATE, format=DAY))
    participants = djforms.CharField(label=_("participants"), required=False, max_length=300)
    conclusion = djforms.CharField(label=_("conclusion"), widget=djforms.Textarea(attrs={"rows": 3}))
    likelihood = djforms.TypedChoiceField(
        label=_("likelihood (if re-assessed)"), coerce=int, choices=(), required=False, empty_value=None
    )
    impact = djforms.TypedChoiceField(
        label=_("impact (if re-assessed)"), coerce=int, choices=(), required=False, empty_value=None
    )
    version = VersionField()

    def __init__(self, *args, matrix: RiskMatrix, **kwargs):
        super().__init__(*args, **kwargs)
        if matrix.scheme == Scheme.MATRIX:
            empty = [("", "—")]
            self.fields["likelihood"].choices = empty + [
                (i, f"{i} {x}") for i, x in enumerate(matrix.config["likelihood"], 1)
            ]
            self.fields["impact"].choices = empty + [(i, f"{i} {x}") for i, x in enumerate(matrix.config["impact"], 1)]
        else:
            del self.fields["likelihood"], self.fields["impact"]


class NoteForm(StyledFormMixin, djforms.Form):
    note = djforms.CharField(label=_("note"), widget=djforms.Textarea(attrs={"rows": 2}), required=False)
    version = VersionField()


REVIEW_LEVELS = ("major", "high", "general", "low")
WORD_OF = {code: word for word, code in LEVEL_WORDS.items()}


class _SchemeForm(StyledFormMixin, djforms.Form):
    """What every scheme's form has: a name, the levels' review cadence; `config()` gives the scheme's
    configuration as `matrix.validate` checks it, `initial_of(config)` the form's values for one."""

    name = djforms.CharField(label=_("name"), max_length=100)
    months_major = djforms.IntegerField(label=_("review every … months: major (重大)"), min_value=1, max_value=24)
    months_high = djforms.IntegerField(label=_("review every … months: significant (较大)"), min_value=1, max_value=24)
    months_general = djforms.IntegerField(label=_("review every … months: general (一般)"), min_value=1, max_value=24)
    months_low = djforms.IntegerField(label=_("review every … months: low (低)"), min_value=1, max_value=24)

    def months(self) -> dict:
        return {level: self.cleaned_data[f"months_{level}"] for level in REVIEW_LEVELS}

    @staticmethod
    def initial_months(config: dict, default: dict) -> dict:
        months = config.get("review_months") or default
        return {f"months_{level}": months[level] for level in REVIEW_LEVELS}


class MatrixForm(_SchemeForm):
    likelihood = djforms.CharField(
        label=_("likelihood labels (one a line, lowest first)"), widget=djforms.Textarea(attrs={"rows": 5})
    )
    impact = djforms.CharField(
        label=_("impact labels (one a line, lowest first)"), widget=djforms.Textarea(attrs={"rows": 5})
    )
    major = djforms.IntegerField(label=_("major (重大) from score"), min_value=1)
    high = djforms.IntegerField(label=_("significant (较大) from score"), min_value=1)
    general = djforms.IntegerField(label=_("general (一般) from score"), min_value=1)
    grid = djforms.CharField(
        label=_("cells set by hand"),
        required=False,
        help_text=_("One a line: likelihood,impact=level (重大, 较大, 一般 or 低), e.g. 1,5=重大"),
        widget=djforms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["name", "likelihood", "impact", "major", "high", "general", "grid"]

    @classmethod
    def initial_of(cls, name: str, config: dict, months: dict) -> dict:
        return (
            {
                "name": name,
                "likelihood": "\n".join(config["likelihood"]),
                "impact": "\n".join(config["impact"]),
                "grid": "\n".join(f"{cell}={WORD_OF[level]}" for cell, level in config.get("grid", {}).items()),
            }
            | {k: config["thresholds"][k] for k in ("major", "high", "general")}
            | cls.initial_months(config, months)
        )

    def config(self) -> dict:
        data = self.cleaned_data
        grid = {}
        for line in (data.get("grid") or "").splitlines():
            if "=" in line:
                cell, level = line.split("=", 1)
                level = LEVEL_WORDS.get(level.strip(), level.strip())
                grid[cell.replace(" ", "").replace("，", ",")] = level
        return {
            "likelihood": [x.strip() for x in data["likelihood"].splitlines() if x.strip()],
            "impact": [x.strip() for x in data["impact"].splitlines() if x.strip()],
            "thresholds": {"major": data["major"], "high": data["high"], "general": data["general"], "low": 1},
            "grid": grid,
            "review_months": self.months(),
        }


LEC_AXES = ("likelihood", "exposure", "consequence")


class LecForm(_SchemeForm):
    """LEC (D = L × E × C): three lists of scores with their words, one a line ("10 完全可能预料"),
    and the lowest D of each level."""

    likelihood = djforms.CharField(
        label=_("L, likelihood: a score and its words, one a line"), widget=djforms.Textarea(attrs={"rows": 7})
    )
    exposure = djforms.CharField(
        label=_("E, exposure: a score and its words, one a line"), widget=djforms.Textarea(attrs={"rows": 6})
    )
    consequence = djforms.CharField(
        label=_("C, consequence: a score and its words, one a line"), widget=djforms.Textarea(attrs={"rows": 6})
    )
    major = djforms.DecimalField(label=_("major (重大) from D"), min_value=0, max_digits=10, decimal_places=2)
    high = djforms.DecimalField(label=_("significant (较大) from D"), min_value=0, max_digits=10, decimal_places=2)
    general = djforms.DecimalField(label=_("general (一般) from D"), min_value=0, max_digits=10, decimal_places=2)
    field_order = ["name", *LEC_AXES, "major", "high", "general"]

    @classmethod
    def initial_of(cls, name: str, config: dict, months: dict) -> dict:
        lines = {axis: "\n".join(f"{o['value']} {o['label']}" for o in config[axis]) for axis in LEC_AXES}
        thresholds = {k: config["thresholds"][k] for k in ("major", "high", "general")}
        return {"name": name} | lines | thresholds | cls.initial_months(config, months)

    def clean(self):
        data = super().clean()
        for axis in LEC_AXES:
            if axis in data:
                try:
                    data[axis] = _score_lines(data[axis])
                except ValueError as exc:
                    self.add_error(axis, str(exc))
        return data

    def config(self) -> dict:
        data = self.cleaned_data
        return {
            **{axis: data[axis] for axis in LEC_AXES},
            "thresholds": {"major": data["major"], "high": data["high"], "general": data["general"], "low": 0},
            "review_months": self.months(),
        }


def _score_lines(text: str) -> list[dict]:
    """ "10 完全可能预料" (or "10=…", "10：…") a line → [{"value": "10", "label": "完全可能预料"}]."""
    from decimal import Decimal, InvalidOperation

    options = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        head, _sep, label = line.replace("=", " ").replace("：", " ").replace(":", " ").partition(" ")
        try:
            value = Decimal(head.strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or not label.strip():
            words = _("Line %(n)d: write a score, a space and its words, e.g. 10 完全可能预料.")
            raise ValueError(words % {"n": number})
        options.append({"value": str(value), "label": label.strip()})
    if not 2 <= len(options) <= 10:
        raise ValueError(_("Give 2 to 10 lines."))
    return options


class NewSchemeForm(StyledFormMixin, djforms.Form):
    """Another scheme beside the organisation's (a campaign may choose it): its kind and name; it starts
    with the kind's default scales, edited on its own page."""

    scheme = djforms.ChoiceField(label=_("kind"), choices=Scheme.choices)
    name = djforms.CharField(label=_("name"), max_length=100)


class CampaignForm(StyledFormMixin, djforms.Form):
    title = djforms.CharField(label=_("title"), max_length=300)
    issuer = djforms.CharField(label=_("issued by"), required=False, max_length=200)
    starts_on = djforms.DateField(label=_("starts on"), widget=djforms.DateInput(attrs=DATE, format=DAY))
    due_on = djforms.DateField(label=_("due on"), widget=djforms.DateInput(attrs=DATE, format=DAY))
    instructions = djforms.CharField(
        label=_("instructions"), required=False, widget=djforms.Textarea(attrs={"rows": 4})
    )
    notice = MultipleFileField(label=_("notice file"), required=False)
    areas = djforms.ModelMultipleChoiceField(
        queryset=Category.objects.none(), required=False, label=_("risk areas asked about")
    )
    scope_groups = djforms.ModelMultipleChoiceField(
        queryset=UnitGroup.objects.all(), required=False, label=_("unit groups")
    )
    scope_subtrees = djforms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("units and their subordinates")
    )
    scope_units = djforms.ModelMultipleChoiceField(queryset=Unit.objects.none(), required=False, label=_("units"))
    matrix = djforms.ModelChoiceField(
        queryset=RiskMatrix.objects.filter(current=True), required=False, label=_("risk matrix")
    )

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(editor, MANAGE_LEDGER).filter(is_active=True)
        self.fields["scope_units"].queryset = self.fields["scope_subtrees"].queryset = units
        self.fields["areas"].queryset = Category.objects.filter(source__kind=SourceKind.RISK_REGISTER).order_by(
            "position"
        )
        for name in ("scope_units", "scope_subtrees", "scope_groups", "areas"):
            self.fields[name].widget.attrs["size"] = 6

    def clean_notice(self):
        files = self.cleaned_data.get("notice") or []
        if len(files) > 1:
            raise djforms.ValidationError(_("Attach one notice file."))
        return files[0] if files else None


class DecisionForm(StyledFormMixin, djforms.Form):
    decision = djforms.ChoiceField(
        choices=[("accept", _("Accept")), ("send_back", _("Send back"))], widget=djforms.HiddenInput
    )
    note = djforms.CharField(label=_("note"), widget=djforms.Textarea(attrs={"rows": 2}), required=False)
    version = VersionField()
