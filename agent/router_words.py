"""The question words the router understands, zh and en: what asks for which operation and direction.

These are words of the language, not of any company: names of regions, products, people come only from the
data (and the workspace's aliases file). Each cue is a regex; a match explains the words it covers, so the
router can tell which content words of a question no part of its reading explains.
"""

from __future__ import annotations

import re

_I = re.I


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _I)


# --- operations ------------------------------------------------------------------------------------------
FUNNEL = _rx(r"漏斗|各阶段|阶段转化|转化漏斗|funnel|stage\s+conversion")
THEMES = _rx(
    r"异议|顾虑|抱怨|常提|最常说|objections?|concerns?\s+(?:do|did)\s+customers|complaints?|pain\s+points?"
    r"|what\s+(?:do|did)\s+customers\s+(?:say|complain|object)"
)
WHY = _rx(
    r"为什么|为何|什么原因|原因是|原因|怎么回事|咋回事|why|what\s+caused|what\s+explains|explain\w*|root\s+cause|how\s+come"
)
DECOMPOSE = _rx(
    r"(?:单子|订单|成交|单量|单数)(?:少了|变少|减少)还是(?:单子|订单|客单价|单价)?(?:小了|变小|低了|降了|少了)"
    r"|(?:订单|单子|单量)(?:多了|变多|增加)还是(?:单子|订单|客单价)?(?:大了|变大|高了)"
    r"|(?:fewer|more)\s+(?:deals|orders|wins)\s+(?:or|vs\.?|versus)\s+(?:smaller|bigger|larger|bigger\s+size|larger\s+size)"
    r"(?:\s+(?:deals|orders))?"
    r"|(?:volume|count)\s+(?:or|vs\.?)\s+(?:size|value|price)|break\s+(?:it|this|that)?\s*(?:down\s+)?into"
    r"|拆(?:成|分为|分成|解为|解成)|分解(?:成|为)|decompos\w*|price\s+(?:or|vs\.?)\s+volume|量价"
)
CONTRIBUTION = _rx(
    r"贡献|拖后腿|拖累|拉低|拉高|拉动|带动|带来的?|主要(?=是|由|来自|靠|在)|主要来自|来自哪|导致|造成|drove|drive[sn]?|driving|driver|contribut\w*"
    r"|responsible\s+for|accounts?\s+for\s+(?:the|most)|behind\s+the|came\s+from|coming\s+from|split\s+(?:the|it|this)"
)
SHARE = _rx(
    r"占比|占了?多少|占全部|占全|占总|占.{0,12}(?:比例|比重|份额|多少|百分之|%)|比例|比重|份额|百分之几|百分之多少|多少百分比|what\s+%|share|fraction|"
    r"percent(?:age)?\s+of|proportion|%\s+of|how\s+much\s+of"
)
TREND = _rx(r"趋势|走势|怎么变的|变化趋势|历史|trend|over\s+time|trajectory|evolv\w*|history")
RANK = _rx(
    r"(?:lowest|smallest|highest|largest|biggest|fewest|least|most|worst|best)\s+first|sorted|ascending|descending|"
    r"从低到高|从高到低|从小到大|从大到小|升序|降序|"
    r"最高|最好|最多|最大|最长|最低|最差|最少|最小|最短|最畅销|最厉害|排名|排行|排前|排第[一1]|第一名|第一位|前\s*[0-9一二三四五六七八九十两]+"
    r"|后\s*[0-9一二三四五六七八九十两]+|倒数第?[一1]?|垫底|(?<![a-z])top(?![a-z])|(?<![a-z])bottom(?![a-z])|best|highest|most|largest|biggest|longest|lowest"
    r"|worst|least|fewest|smallest|shortest|leading|leader|rank\w*|number\s+one|\bno\.?\s*1\b"
)
CHANGE = _rx(
    r"增长|增加|上升|提升|提高|涨|下降|下滑|降低|减少|降|掉|跌|下跌|变化|变动|回落|表现|进步|退步|低了|高了|少了|多了|"
    r"变差|更差|差(?=了|这么多|那么多|很多|不少|一些|得多)|(?:低|高)(?=这么多|那么多|很多|不少|得多)|"
    r"\b(?:grew|grow\w*|rose|rise|rising|increase\w*|gain\w*|improv\w*|jump\w*|up|drop\w*|fell|fall\w*|declin\w*|"
    r"decreas\w*|shrank|shrink\w*|down|change\w*|moved?|swing|held\s+up|hold\s+up)\b"
)
COMPARE = _rx(
    r"对比|比较|相比|相较|比上|较上|(?<![占对])比(?![例重率])|多还是少|高还是低|增加还是减少|差多少|差了多少|\bvs\.?|versus|compar\w*|against|"
    r"higher\s+or\s+lower|more\s+or\s+less|up\s+or\s+down|relative\s+to"
)
BETWEEN_FROM = _rx(r"\bfrom\b.{1,40}\bto\b|从.{1,20}到")
TARGET = _rx(
    r"(?:miss|missed|missing|hit|hitting|meet|met|make|made|beat|exceed\w*)\s+(?:\S+\s+){0,3}?(?:target|quota|goal)s?"
    r"|目标|达成|完成|达标|target|quota|goal|attain\w*|plan\b"
)
TEAM = _rx(r"团队|手下|下属|组里|组内|团队里|team\b|team's|reports\s+to|under\s+")
HOW_IS = _rx(r"怎么样|咋样|如何|表现|情况|好不好|how'?s\b|how\s+(?:is|are|was|were|did|do|does)\b|how'd|doing|perform\w*")

EXCLUDE = _rx(
    r"\b(?:excluding|exclude[sd]?|except(?:\s+for)?|other\s+than|apart\s+from|aside\s+from|not\s+counting|"
    r"not\s+including|excl|without|outside(?:\s+of)?)\b|除了|除去|除外|以外|之外|不含|不包括|不包含|不算|排除|剔除|扣除|去掉"
)
EXCLUDE_MESSAGE = {
    "zh": "暂不支持“除了…以外”这类排除条件；可以分别问整体和要排除的部分，再相减。",
    "en": "Fupan cannot leave a segment out yet ('excluding …'); ask for the total and for the part to leave out.",
}

# --- direction -------------------------------------------------------------------------------------------
ASC = _rx(
    r"最低|最差|最少|最小|最短|(?:lowest|smallest|fewest|least|worst)\s+first|后\s*[0-9一二三四五六七八九十两]|倒数|垫底|lowest|worst|least|fewest|smallest|shortest|"
    r"bottom|weakest|slowest|ascending|升序|从低到高|从小到大|"
    r"\bmiss(?:ed|es|ing)?\b|fell\s+short|short\s+of|没完成|未完成|没达到|未达到|没达成|未达成"
)
BEST_WORST = _rx(r"最好|最差|最厉害|best|worst|strongest|weakest")
FALL = _rx(
    r"下降|下滑|降低|减少|掉|跌|回落|退步|拖后腿|拖累|拉低|变差|更差|差(?=了|这么多|那么多|很多|不少|一些|得多)|低(?=这么多|那么多|很多|不少|得多)|\b(?:drop\w*|fell|fall\w*|declin\w*|decreas\w*|shrank|"
    r"shrink\w*|down|lost\s+the\s+most|worse)\b"
)
RISE = _rx(
    r"增长|增加|上升|提升|提高|涨|进步|高(?=这么多|那么多|很多|不少|得多)|\b(?:grew|grow\w*|rose|rise|rising|increase\w*|gain\w*|improv\w*|jump\w*|up)\b"
)
HELD_UP = _rx(r"表现最好|held\s+up\s+best|hold\s+up\s+best|did\s+best|best\s+performance|最抗跌")

THRESHOLD = _rx(
    r"(?:above|below|over|under|more\s+than|less\s+than|fewer\s+than|at\s+least|at\s+most|greater\s+than|"
    r"超过|高于|低于|不足|少于|多于|大于|小于|不到)\s*[¥$￥]?\s*\d[\d,.]*\s*(?:%|％|万|亿|k|m|个百分点)?"
    r"|\d[\d,.]*\s*(?:%|％|万|亿)?\s*(?:以上|以下)"
)

# --- how many --------------------------------------------------------------------------------------------
_NUM_WORDS = {
    **{w: i for i, w in enumerate("一二三四五六七八九十", 1)},
    "两": 2,
    **{w: i for i, w in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 2)},
    "one": 1,
}
TOP_N = _rx(
    r"(?:top|bottom|前|后|倒数)\s*-?\s*(?P<n>\d+|[一二三四五六七八九十两]|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?!\s*个?(?:季度|月|年|周|天|quarter|month|year|week|day))"
    r"|(?P<n2>\d+|[一二三四五六七八九十两])\s*(?:个|位|名|家|条|大)(?!\s*(?:季度|月|周|半年|百分点|点))"
    r"|\b(?P<n3>\d{1,3}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:best|top|highest|lowest|worst|biggest|largest|"
    r"leading|smallest|weakest|strongest|most|least)\b"
    r"|\b(?:which|what|the)\s+(?P<n4>\d+|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|\b(?:worst|best|lowest|highest|largest|smallest|biggest|weakest|strongest)\s+(?P<n6>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?![\d.,%])(?!\s*(?:percent|quarters?|months?|years?|weeks?|days?|q[1-4]\b))"
    r"|(?<![\d.$,])\b(?P<n5>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?!(?:days|weeks|months|quarters|years|percent|points|times|deals|orders|wins|units)\b)[a-z][a-z\-]*s\b"
)
PLURAL_ASK = _rx(r"哪些|哪几|which\s+\w+s\b|who\s+are|\bwhich\s+(?:reps|regions|products|customers|accounts)\b")


def number(token: str | None) -> int | None:
    if not token:
        return None
    token = token.lower()
    return int(token) if token.isdigit() else _NUM_WORDS.get(token)


# --- words that carry no content -------------------------------------------------------------------------
STOP_EN = frozenset(
    """a an the and or but not no yes of in on at to for from with without by per vs versus than then into onto
    about after before since until during between among across over under above below against within is are was
    were be been being am do does did done doing has have had having can could would should will shall may might
    must need want get got go going went come came make made see show give list find tell please how what which who
    whom whose why when where whether i me my we us our ours you your they them their it its this that these those
    there here all any some each every much many more most less least few other another same such own only just
    also still even very really so far too again ever never always already yet now both either one overall total
    totals whole company companies business number numbers count amount amounts value values figure figures data
    result results report summary look like know let lets let's s t d re ve ll m what's whats how's hows who's
    where's there's it's that's did we do doing going happen happened happening thanks thank hi hello hey ok okay
    pls plz kindly quick quickly bought buy buying purchased purchase ordered order something anything deals deal because due booked book booking generated brought made cumulative accumulated tracking track tracked pacing land landed landing bring brought acquire acquired just roughly approx approximately about around exactly ones one's period periods
    time times date dates altogether combined sum summed everything anything something nothing whole entire
    including include includes overall together compared vs. vs split figure out break broken engage engaged
    business bring brings bringing yo gimme hey sup related thx ty asap btw fyi tia money""".split()
)
# Chinese function words and phrases (longest first when stripped)
_STOP_ZH_WORDS = """的 了 吗 呢 啊 吧 呀 么 是 有 在 和 与 及 跟 对 把 被 给 让 从 到 为 以 由 于 按 看 看看 看下 看一下 查 查下
        查一下 查询 一下 下 请 请问 帮 帮我 帮忙 我 我们 你 您 咱们 咱 公司 全公司 整个公司 整体 总体 总共 一共 合计 总计 总 共
        多少 几 几个 多 少 什么 哪 哪个 哪些 哪位 哪几个 哪一个 谁 怎么 怎么样 咋样 如何  情况 表现 数据 分别 各自 各 每 每个
        个 位 名 家 件 条 笔 单 次 都 也 还 又 就 才 再 最 更 很 非常 比较 大概 大约 约 左右 一 这 那 这个 那个 这些 那些 其中
        里 里面 中 内 上 之 所 所有 全部 全 整 时 时候 期间 目前 现在 当前 到现在 为止 至今 一共有 有多少 是多少 多少钱 是谁 是哪个
        是哪些 哪里 吗？ 呢？ 情况如何 怎样 可以 能 能否 告诉 告诉我 列出 列一下 显示 给出 统计 计算 算 算一下 对应 相应 具体
        分 以及 还有 或者 或 并 并且 而 但 但是 方面 来说 来看 而言 一起 加起来 元 钱 金额是 额 人 员 里头 之中 当中 当中的
        的话 是不是 有没有 没有 没 未 不 得 来 来的 点 几个点 多少个点 几天 天 比 这几个 这几 几个 累计 截至目前 截至 截止 到目前 目前为止 新增 因为 是因为 由于 各个 带来 带来的 看起来 看上去 这么多 那么多 这么 那么 哪些人 们 份 区 些 已经 已 曾 过 着 一点 比起 百分点 个百分点 拆分 拆开 之间 中间 年 月 如果 来自 买 买了 购买 采购 买得 购买了 订 订了 订购 下单 下了 离 距离""".split()
STOP_ZH: tuple[str, ...] = tuple(sorted(set(_STOP_ZH_WORDS), key=lambda w: (-len(w), w)))
