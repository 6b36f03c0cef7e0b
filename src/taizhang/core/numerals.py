"""Chinese numerals as offices write them in numbering and deadlines (一 … 十, 十一 … 十九)."""

DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12; 0 for anything else."""
    if len(text) == 2 and text[0] == "十":
        return 10 + DIGITS.get(text[1], 0)
    return DIGITS.get(text, 0)
