"""Findings at provincial size for the similarity benchmark: texts of the inspection genre, built
from what findings talk about and what they say went wrong, so that many share words (as real
ledgers do) and few are the same problem. Deterministic for a seed; no database."""

import random

SUBJECTS = [
    "意识形态工作责任制",
    "党组理论学习中心组学习",
    "三会一课制度",
    "民主生活会",
    "组织生活会",
    "谈心谈话制度",
    "“三重一大”决策制度",
    "党组会议议事规则",
    "干部选拔任用工作",
    "干部人事档案",
    "干部教育培训",
    "年轻干部培养",
    "公务接待管理",
    "公务用车管理",
    "办公用房管理",
    "津贴补贴发放",
    "差旅费报销",
    "会议费管理",
    "培训费管理",
    "政府采购",
    "工程招投标",
    "专项资金管理",
    "预算执行",
    "国有资产管理",
    "资产出租出借",
    "内部审计",
    "财务报销审核",
    "会计基础工作",
    "政府债务管理",
    "非税收入征缴",
    "安全生产责任",
    "隐患排查治理",
    "应急预案管理",
    "消防安全管理",
    "网络安全责任制",
    "等级保护测评",
    "政务新媒体管理",
    "门户网站信息发布",
    "巡察反馈问题整改",
    "审计发现问题整改",
    "主题教育检视问题整改",
    "信访事项办理",
    "行政审批服务",
    "“一岗双责”",
    "廉政风险防控",
    "基层减负",
    "督查检查考核",
    "文件会议精简",
    "村级集体经济",
    "惠民补贴发放",
    "养老服务监管",
    "食品安全抽检",
    "校外培训监管",
    "医疗设备采购",
    "医保基金监管",
    "耕地保护",
    "违法建设治理",
    "物业服务监管",
    "住宅专项维修资金",
    "农村公路养护",
    "防汛物资储备",
    "文物安全巡查",
]
DEFECTS = [
    "落实不到位",
    "执行不严格",
    "流于形式",
    "不够规范",
    "存在薄弱环节",
    "监督管理不严",
    "制度不健全",
    "台账记录不完整",
    "审批程序不规范",
    "未按规定集体研究",
    "次数不足",
    "质量不高",
    "推进缓慢",
    "整改不彻底",
    "存在超标准超范围问题",
    "未公开招标",
    "化整为零规避招标",
    "资金长期闲置",
    "挤占挪用",
    "违规发放",
    "未及时更新",
    "底数不清",
    "审核把关不严",
    "考核权重偏低",
    "责任清单未细化",
    "跟踪问效不够",
    "档案材料缺失",
    "手续不完备",
    "未开展专项检查",
    "隐患未按期整改",
    "培训覆盖面不足",
    "存在虚假整改",
]
QUALIFIERS = ["", "部分单位", "个别单位", "所属单位", "个别科室", "基层单位", "部分乡镇", "有的党支部", "二级单位"]
TAILS = [
    "",
    "，问题反复出现",
    "，长效机制尚未建立",
    "，群众反映较多",
    "，与上级要求有差距",
    "，存在廉政风险",
    "，{n}年以来未开展自查",
    "，涉及金额{n}万元",
    "，{n}个问题未销号",
    "，全年仅开展{n}次",
]


def finding_text(rng: random.Random) -> str:
    subject, defect = rng.choice(SUBJECTS), rng.choice(DEFECTS)
    text = f"{rng.choice(QUALIFIERS)}{subject}{defect}"
    if rng.random() < 0.6:
        text += f"，{rng.choice(SUBJECTS)}{rng.choice(DEFECTS)}"
    return text + rng.choice(TAILS).format(n=rng.randint(1, 99)) + "。"


def finding_texts(count: int, seed: int = 19) -> list[str]:
    rng = random.Random(seed)
    return [finding_text(rng) for _ in range(count)]
