"""The inspection genre's own words, folded before features are taken (the curated vocabulary of
findings, as `sheets.vocabulary` is of ledger headers).

`SAME` maps a wording to the one the scorer sees, so that 公务用车 and 公车, 挤占挪用 and 挪作他用
meet. `GENRE` lists what nearly every finding says whatever its problem (存在, 不到位, 不规范, 个别 …):
removed, so that two different problems are not made alike by the way inspectors write. Longer
entries win over shorter ones inside them. Extend both from real ledgers; the evaluation's floors in
the tests say whether a change helped.
"""

import re

SAME = {
    # official cars
    "公务用车": "公车",
    "公务车辆": "公车",
    "单位车辆": "公车",
    "车辆": "公车",
    "办理私事": "私用",
    "办私事": "私用",
    "超编制": "超编",
    "超编超标": "超编",
    # allowances and hospitality
    "津贴补贴": "津补贴",
    "奖金补贴": "津补贴",
    "补助": "津补贴",
    "陪餐": "陪同",
    "宴请": "吃喝",
    "聚餐饮酒": "吃喝",
    "聚餐": "吃喝",
    # money
    "挤占挪用": "挪用",
    "挪作他用": "挪用",
    "挤占": "挪用",
    "滞留未用": "闲置",
    "未投入使用": "闲置",
    "未使用": "闲置",
    "专项经费": "专项资金",
    "项目资金": "专项资金",
    "招投标": "招标",
    "投标人": "招标",
    "围标串标": "串标",
    # decisions, meetings, people
    "重大事项决策": "三重一大",
    "集体研究决定": "集体决策",
    "集体研究": "集体决策",
    "集体讨论": "集体决策",
    "领导班子": "班子",
    "党组会议": "党组会",
    "干部选拔任用": "选任",
    "选人用人": "选任",
    "干部任用": "选任",
    "拟任人选": "选任人选",
    "巡视巡察": "巡察",
    "巡视": "巡察",
    "等级保护测评": "等保",
    "等保测评": "等保",
    "等级保护": "等保",
    "走过场": "流于形式",
    "微信公众号": "新媒体",
    "新媒体账号": "新媒体",
    "新媒体平台": "新媒体",
    "文山会海": "会多文多",
    "会议多发文多": "会多文多",
    "迎检负担": "基层负担",
}

GENRE = [
    "存在",
    "问题",
    "情况",
    "现象",
    "部分",
    "个别",
    "有的",
    "一些",
    "少数",
    "依然",
    "仍然",
    "仍有",
    "方面",
    "工作",
    "管理",
    "不规范",
    "不到位",
    "不严格",
    "不严",
    "不力",
    "不够",
    "不足",
    "不深入",
    "不彻底",
    "不完善",
    "不健全",
    "未按规定",
    "未按要求",
    "按规定",
    "按要求",
    "落实",
    "执行",
    "开展",
    "进行",
    "相关",
    "有关",
]

_REPLACE = {**SAME, **{g: "" for g in GENRE}}  # a word in both lists is removed


def _trie(words) -> str:
    """One pattern for all the words, branching on each next character (a flat alternation tries
    every word at every position): a longer word is tried before its prefix, so the longest wins."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alternatives = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(tree)


_PATTERN = re.compile(_trie(_REPLACE))


def fold(text: str) -> str:
    """`text` (already without punctuation) with the genre's synonyms folded and its framing removed."""
    return _PATTERN.sub(lambda m: _REPLACE[m.group(0)], text)
