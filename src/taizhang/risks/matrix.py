"""Risk assessment schemes, as plain data a `RiskMatrix` row stores and these functions read.

Two schemes:
- the matrix (R = L × S): likelihood and impact scales (5 × 5 by default), a score per cell, levels by
  score thresholds, and any cell set to a level by hand (the grid wins over the thresholds);
- LEC (D = L × E × C): likelihood, exposure and consequence each chosen from a list of values, the
  product against thresholds (the usual 320 / 160 / 70).

A level is one of 重大 / 较大 / 一般 / 低, shown as 红 / 橙 / 黄 / 蓝.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Scheme(models.TextChoices):
    MATRIX = "matrix", gettext_lazy("Risk matrix (R = L × S)")
    LEC = "lec", gettext_lazy("LEC (D = L × E × C)")


class Level(models.TextChoices):
    MAJOR = "major", gettext_lazy("Major (重大)")
    HIGH = "high", gettext_lazy("Significant (较大)")
    GENERAL = "general", gettext_lazy("General (一般)")
    LOW = "low", gettext_lazy("Low (低)")


# Most serious first: the order thresholds are read in and figures are listed in.
LEVELS = [Level.MAJOR, Level.HIGH, Level.GENERAL, Level.LOW]
COLOUR = {Level.MAJOR: "red", Level.HIGH: "orange", Level.GENERAL: "yellow", Level.LOW: "blue"}

DEFAULT_MATRIX = {
    "likelihood": ["几乎不可能", "不太可能", "可能", "很可能", "几乎肯定"],
    "impact": ["轻微", "较小", "中等", "严重", "灾难性"],
    # the lowest score of each level, most serious first; below the last: the last
    "thresholds": {"major": 17, "high": 10, "general": 5, "low": 1},
    "grid": {},  # "L,S" (1-based) → level, where a cell is set by hand
}

DEFAULT_LEC = {
    "likelihood": [
        {"value": "10", "label": "完全可能预料"},
        {"value": "6", "label": "相当可能"},
        {"value": "3", "label": "可能，但不经常"},
        {"value": "1", "label": "可能性小，完全意外"},
        {"value": "0.5", "label": "很不可能，可以设想"},
        {"value": "0.2", "label": "极不可能"},
        {"value": "0.1", "label": "实际不可能"},
    ],
    "exposure": [
        {"value": "10", "label": "连续暴露"},
        {"value": "6", "label": "每天工作时间内暴露"},
        {"value": "3", "label": "每周一次"},
        {"value": "2", "label": "每月一次"},
        {"value": "1", "label": "每年几次"},
        {"value": "0.5", "label": "非常罕见"},
    ],
    "consequence": [
        {"value": "100", "label": "大灾难"},
        {"value": "40", "label": "灾难"},
        {"value": "15", "label": "非常严重"},
        {"value": "7", "label": "严重"},
        {"value": "3", "label": "重大"},
        {"value": "1", "label": "引人注目"},
    ],
    "thresholds": {"major": 320, "high": 160, "general": 70, "low": 0},
}


def default_config(scheme: str) -> dict:
    return {key: (list(v) if isinstance(v, list) else dict(v)) for key, v in _DEFAULTS[scheme].items()}


_DEFAULTS = {Scheme.MATRIX: DEFAULT_MATRIX, Scheme.LEC: DEFAULT_LEC}


def level_of_score(thresholds: dict, score) -> str:
    for level in LEVELS:
        if Decimal(str(score)) >= Decimal(str(thresholds[level])):
            return level
    return Level.LOW


def assess(scheme: str, config: dict, likelihood: int, impact: int, exposure: int | None = None) -> tuple:
    """(score, level) of one assessment. For the matrix the inputs are 1-based positions on the scales;
    for LEC, 1-based positions in the value lists (likelihood, exposure and consequence = impact)."""
    if scheme == Scheme.MATRIX:
        _check_position(likelihood, config["likelihood"], "likelihood")
        _check_position(impact, config["impact"], "impact")
        score = Decimal(likelihood * impact)
        level = config.get("grid", {}).get(f"{likelihood},{impact}") or level_of_score(config["thresholds"], score)
        return score, level
    _check_position(likelihood, config["likelihood"], "likelihood")
    _check_position(impact, config["consequence"], "impact")
    if exposure is None:
        raise ValidationError({"exposure": _("LEC needs the exposure (E).")})
    _check_position(exposure, config["exposure"], "exposure")
    score = (
        Decimal(config["likelihood"][likelihood - 1]["value"])
        * Decimal(config["exposure"][exposure - 1]["value"])
        * Decimal(config["consequence"][impact - 1]["value"])
    )
    return score.normalize(), level_of_score(config["thresholds"], score)


AXIS_WORDS = {
    "likelihood": gettext_lazy("likelihood"),
    "impact": gettext_lazy("impact"),
    "exposure": gettext_lazy("exposure (E)"),
}


def _check_position(position, scale: list, name: str) -> None:
    if not isinstance(position, int) or not 1 <= position <= len(scale):
        words = {"axis": AXIS_WORDS[name], "n": len(scale)}
        raise ValidationError({name: _("%(axis)s: choose a value from 1 to %(n)d.") % words})


def validate(scheme: str, config: dict) -> dict:
    """A matrix's configuration as edited, checked and normalised (labels stripped, levels known)."""
    errors = {}
    if scheme == Scheme.MATRIX:
        for axis in ("likelihood", "impact"):
            labels = [str(label).strip() for label in config.get(axis) or []]
            if not 2 <= len(labels) <= 10 or not all(labels):
                errors[axis] = _("Give 2 to 10 labels, none empty.")
            config[axis] = labels
        grid = {}
        for cell, level in (config.get("grid") or {}).items():
            if level not in LEVELS:
                errors["grid"] = _("Unknown level %(level)s.") % {"level": level}
            grid[cell] = level
        config["grid"] = grid
    else:
        for axis in ("likelihood", "exposure", "consequence"):
            options = config.get(axis) or []
            try:
                config[axis] = [
                    {"value": str(Decimal(str(o["value"]))), "label": str(o["label"]).strip()} for o in options
                ]
            except (KeyError, TypeError, ArithmeticError):
                errors[axis] = _("Every option needs a number and a label.")
            if not options:
                errors[axis] = _("Every option needs a number and a label.")
    months = config.get("review_months")
    if months is not None:
        try:
            config["review_months"] = {level: int(months[level]) for level in LEVELS}
        except (KeyError, TypeError, ValueError):
            errors["review_months"] = _("Give the months between reviews for every level.")
        else:
            if not all(1 <= m <= 24 for m in config["review_months"].values()):
                errors["review_months"] = _("Reviews fall due every 1 to 24 months.")
    thresholds = config.get("thresholds") or {}
    try:
        values = [Decimal(str(thresholds[level])) for level in LEVELS]
    except (KeyError, ArithmeticError):
        errors["thresholds"] = _("Give the lowest score of every level.")
    else:
        if values != sorted(values, reverse=True) or len(set(values)) != len(values):
            errors["thresholds"] = _("Each level must begin above the next lower one.")
        config["thresholds"] = {level: float(v) if v % 1 else int(v) for level, v in zip(LEVELS, values, strict=True)}
    if errors:
        raise ValidationError(errors)
    return config
