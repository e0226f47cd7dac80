"""Report wording in Chinese and English: headings, table columns, statuses, fishbone categories."""

from __future__ import annotations

_LABELS: dict[str, tuple[str, str]] = {
    "summary": ("概述", "Summary"),
    "performance": ("目标与结果", "Goal vs result"),
    "root_causes": ("根因分析", "Root-cause analysis"),
    "lessons": ("经验与教训", "Lessons"),
    "actions": ("行动计划跟踪", "Action plan tracking"),
    "charts": ("图表", "Charts"),
    "evidence": ("证据", "Evidence"),
    "findings": ("校验提示", "Validator findings"),
    "metric": ("指标", "Metric"),
    "target": ("目标值", "Target"),
    "actual": ("实际值", "Actual"),
    "achievement": ("达成率", "Achievement"),
    "gap": ("差异", "Gap"),
    "note": ("说明", "Note"),
    "problem": ("问题", "Problem"),
    "initial_causes": ("初步原因", "Initial causes"),
    "root_cause": ("根本原因", "Root cause"),
    "verification": ("验证方式/证据", "Verification / evidence"),
    "category": ("鱼骨分类", "Fishbone category"),
    "gap_share": ("缺口占比", "Share of gap"),
    "type": ("类型", "Type"),
    "content": ("内容", "Content"),
    "scenario": ("适用场景", "Applicable scenario"),
    "action": ("行动", "Action"),
    "owner": ("责任人", "Owner"),
    "deadline": ("完成时间", "Deadline"),
    "resources": ("所需资源", "Resources"),
    "checkpoint": ("检查节点", "Checkpoint"),
    "status": ("当前状态", "Status"),
    "baseline": ("基线", "Baseline"),
    "action_target": ("目标", "Target"),
    "progress": ("进展", "Progress"),
    "citations": ("引用", "Citations"),
    "source": ("来源", "Source"),
    "id": ("编号", "ID"),
    "label": ("名称", "Label"),
    "value": ("数值", "Value"),
    "how": ("计算方式 (SQL)", "How computed (SQL)"),
    "excerpt": ("原文摘录", "Excerpt"),
    "missing": ("证据未随草稿保存", "evidence not stored with the draft"),
    "period": ("期间", "Period"),
    "scope": ("范围", "Scope"),
    "snapshot": ("数据快照", "Data snapshot"),
    "writer": ("撰写方式", "Writer"),
    "created": ("生成时间", "Created"),
    "success": ("成功经验", "Success experience"),
    "failure": ("失败教训", "Failure lesson"),
    "not_started": ("未开始", "Not started"),
    "in_progress": ("进行中", "In progress"),
    "done": ("已完成", "Done"),
    "people": ("主观因素（能力/态度）", "People (skills, attitude)"),
    "product_market": ("客观因素（产品与市场）", "Product & market"),
    "process": ("流程因素", "Process"),
    "resources_cat": ("资源因素", "Resources"),
    "chart_data": ("图表数据", "Chart data"),
    "no_charts": ("草稿中没有图表数据。", "The draft carries no chart data."),
    "company": ("全公司", "Company"),
    "figure": ("数据", "figure"),
    "record": ("记录", "record"),
    "hypothesis": ("待核实", "to check"),
    "how_to_check": ("核实方法", "to confirm"),
    "check_first": ("先核实", "check first"),
    "cover_company": ("公司", "Company"),
    "version": ("版本", "Version"),
    "report_status": ("状态", "Status"),
    "author": ("起草人", "Drafted by"),
    "approver": ("批准人", "Approved by"),
    "approved_on": ("批准日期", "Approved on"),
    "contents": ("目录", "Contents"),
    "annex": ("附录：证据与计算方法", "Annex: evidence and how it was computed"),
    "methods": ("计算方法", "How each metric is computed"),
    "definition": ("定义", "Definition"),
    "page": ("页", "Page"),
    "grades": (
        "证据等级：[数据] 由指标引擎计算；[记录] 客户记录或 CRM 丢单原因；[待核实] 尚无证据的假设，附核实方法。",
        "Evidence grades: [figure] computed by the metric engine; [record] a customer note or a CRM loss reason; "
        "[to check] a hypothesis with no evidence yet, with how to confirm it.",
    ),
}


def label(key: str, lang: str) -> str:
    """The word for `key` in `lang` (zh or en); the key itself when unknown."""
    zh, en = _LABELS.get(key, (key, key))
    return zh if lang == "zh" else en


def grade_label(grade: str, lang: str) -> str:
    """[数据] / [记录] / [待核实] — what supports a link of a root-cause chain."""
    return label(grade, lang)


def category_label(category: str, lang: str) -> str:
    return label("resources_cat" if category == "resources" else category, lang)


class Labels:
    """Attribute access for templates: `L.performance`, `L("done")`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getattr__(self, key: str) -> str:
        return label(key, self.lang)

    def __call__(self, key: str) -> str:
        return label(key, self.lang)
