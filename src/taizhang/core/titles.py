"""Titles made from a ledger's own title, never doubling a word the title already ends with
(…整改 + 整改情况 → …整改整改情况), and an official title broken into balanced lines."""

import math

# Characters of a 2号 (22 pt) title on one line of the 156 mm text block.
TITLE_LINE = 20
# A line may end after these (a break between 关于…的 and 报告, after 、 or ，).
GOOD_ENDINGS = "的于和与及、，"
# Words a line break must not cut through.
WORDS = ("整改", "情况", "报告", "巡视", "巡察", "反馈", "意见", "落实", "专项", "检查", "审计", "问题", "工作", "台账")


def _stem(title: str) -> str:
    """The title without what the generated wording adds again."""
    text = title.strip()
    for suffix in ("情况的报告", "的报告", "报告", "情况", "任务台账", "台账"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


def titled(ledger_title: str, suffix: str) -> str:
    """The ledger's title and a suffix that begins with 整改, with 整改 once (…整改 + 整改任务台账)."""
    stem = _stem(ledger_title)
    return stem + suffix.removeprefix("整改") if stem.endswith("整改") else stem + suffix


def report_title(ledger_title: str) -> str:
    """关于…整改情况的报告."""
    return f"关于{titled(ledger_title.strip().removeprefix('关于'), '整改情况')}的报告"


def ledger_title(ledger_title: str) -> str:
    """…整改任务台账."""
    return titled(ledger_title, "整改任务台账")


def _cuts_a_word(text: str, at: int) -> bool:
    return any(text.find(word, max(0, at - len(word) + 1)) in range(at - len(word) + 1, at) for word in WORDS)


def title_lines(text: str, width: int = TITLE_LINE) -> list[str]:
    """The title in as few lines as fit `width`, each about as long as the others (no line of one
    character), broken after a particle or a pause and never inside a common word."""
    text = text.strip()
    if len(text) <= width:
        return [text]
    count = math.ceil(len(text) / width)
    lines, rest = [], text
    for remaining in range(count, 1, -1):
        ideal = len(rest) / remaining

        def cost(at, rest=rest, ideal=ideal):
            penalty = 0 if rest[at - 1] in GOOD_ENDINGS else 2
            penalty += 6 if _cuts_a_word(rest, at) else 0
            return abs(at - ideal) + penalty

        candidates = [at for at in range(2, min(width, len(rest) - 2) + 1) if len(rest) - at <= width * (remaining - 1)]
        at = min(candidates, key=cost)
        lines.append(rest[:at])
        rest = rest[at:]
    lines.append(rest)
    return lines
