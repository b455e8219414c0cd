"""The one catalog of the words ecocredit shows people, in English and Chinese (``--lang``).

Outputs meant for **machines** keep their English names whatever the language: the columns of
``scores.csv``, ``contributions.csv``, ``rejects.csv``, ``plan.csv``, the manifests and every
reason code are the contract, hashed in the manifests and replayed byte for byte. Outputs
meant for **people** — the workbooks, the public files of ``ecocredit publish``, the public
draw plan, the HTML reports, the summaries printed by the commands — take their headers,
labels and messages from this module, in the language asked for (``en``, the default, or
``zh``).

The Chinese wording is the regulations' own: 评价等级, 得分, 红名单/黑名单, 信用修复, 异议,
公示, 监管类别, 双随机抽查 (Ministry of Ecology and Environment, 企业环境信用评价办法（试行）,
环发〔2013〕150号; Jiangxi 生态环境监管分类 2020). Grade labels come from the rulesets
(``grades[].label``) and event type names from :data:`ecocredit.vocab.EVENT_TYPES`; they are
not repeated here.

Every table here is checked by ``tests/test_i18n.py``: each column of a people's output has a
Chinese header, each reason code a Chinese message, each message both languages with the same
placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..days import calendar_problem

__all__ = ["LANGS", "NOT_GRADED", "PLAN_PUBLIC_HEADERS", "PUBLIC_HEADERS", "REASONS_ZH",
           "REASON_DETAILS_ZH", "reason_zh", "REPORT_HEADERS", "REPORT_SHEETS", "RUN_HEADERS", "SHEET_NAMES", "TABLE_LABELS", "TEXT", "VALUES",
           "check_lang",
           "headers", "reject_messages", "t", "value"]

#: the regulations' words for a firm that gets no grade (企业环境信用评价办法 and the provincial
#: rules: 不评定等级, e.g. Guangzhou's exclusion of firms closed or stopped; never 未评级): the
#: one place this term is written, for every output in either language
NOT_GRADED = "不评定等级"

#: the languages of the people's outputs (``--lang``)
LANGS = ("en", "zh")

#: column of a run's tables → the header of the workbooks (``score --xlsx``); the workbooks
#: carry Chinese headers in either language (they are written for Excel users in China)
RUN_HEADERS: Mapping[str, str] = MappingProxyType({
    "firm_id": "统一社会信用代码", "name": "企业名称", "period": "评价期间",
    "ruleset": "评价规则", "ruleset_version": "规则版本", "status": "评价状态", "score": "得分",
    "grade": "信用等级", "grade_label": "等级名称", "grade_level": "档次", "vetoed": "一票否决",
    "rules_applied": "适用条款", "list": "名单", "list_until": "名单截止日",
    "grade_colour": "等级颜色", "not_graded_reason": NOT_GRADED + "原因",
    "region_code": "行政区划代码", "industry_code": "行业代码", "supervision_class": "监管类别",
    "rule_id": "条款编号", "points": "分值", "evidence": "证据", "reference": "依据",
    "kind": "类型", "effect": "效果", "label": "说明", "file": "文件", "row": "行号",
    "column": "列", "reason_code": "原因代码", "value": "值", "message": "说明",
})

#: public columns of ``ecocredit publish`` → headers of public.xlsx / public.csv (公示)
PUBLIC_HEADERS: Mapping[str, str] = MappingProxyType({
    "firm_id": "统一社会信用代码", "name": "企业名称", "region_code": "行政区划代码",
    "industry_code": "行业代码", "period": "评价年度", "grade_label": "评价等级",
    "grade_level": "档次", "list": "名单", "list_until": "名单有效期至",
    "published_on": "公示日期", "publication_end": "公示截止日期",
})

#: columns of the public draw plan (``plan_public.csv``) → headers of ``plan_public.xlsx``
PLAN_PUBLIC_HEADERS: Mapping[str, str] = MappingProxyType({
    "quarter": "抽查季度", "firm_id": "统一社会信用代码", "name": "企业名称",
    "region_code": "行政区划代码", "county_name": "县（市、区）", "level": "检查层级",
    "unit_name": "检查单位", "supervision_class": "监管类别", "kind": "检查方式",
    "reason": "抽查依据", "status": "检查人员安排",
})

#: columns of the analyst's report tables (``ecocredit report``) → Chinese headers, beside
#: :data:`RUN_HEADERS` (``--lang zh``)
REPORT_HEADERS: Mapping[str, str] = MappingProxyType({
    "firms": "企业数", "share": "占比", "points_total": "分值合计",
    "points_moved": "影响分值（|分值|之和）", "grade_before": "原评价等级",
    "grade_now": "本次评价等级", "list_before": "原名单", "list_now": "本次名单",
    "city": "设区市", "industry": "行业大类", "not_graded": NOT_GRADED,
})

#: sheets of the analyst's report workbook → Chinese names (``--lang zh``)
REPORT_SHEETS: Mapping[str, str] = MappingProxyType({
    "grades": "评价等级分布", "by city": "按设区市", "by industry": "按行业",
    "black list": "黑名单", "red list": "红名单", "rules": "条款影响", "transitions": "等级变化",
    "changed since": "变化企业",
})

#: workbook or public file → its sheet name
SHEET_NAMES: Mapping[str, str] = MappingProxyType({
    "scores.xlsx": "评价结果", "contributions.xlsx": "贡献明细", "rejects.xlsx": "拒收记录",
    "public.xlsx:draft": "公示", "public.xlsx:final": "发布",
    "plan_public.xlsx": "双随机抽查公示",
})

#: column → value → its Chinese word, for the values of people's outputs in ``zh``
VALUES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "list": MappingProxyType({"red": "红名单", "black": "黑名单", "": ""}),
    "status": MappingProxyType({"graded": "已评价", "not_graded": NOT_GRADED,
                                "staffed": "已安排检查人员", "unstaffed": "检查人员不足"}),
    "vetoed": MappingProxyType({"true": "是", "false": "否", "True": "是", "False": "否"}),
    "level": MappingProxyType({"province": "省级", "city": "市级", "county": "县级"}),
    "kind": MappingProxyType({"random": "随机抽查", "special": "专项检查",
                              "assistance": "帮扶检查"}),
})

#: row and column names of the tables the commands print (``draw``, ``inspection-frequency``)
TABLE_LABELS: Mapping[str, str] = MappingProxyType({
    "supervision_class": "监管类别", "kind": "检查方式", "category": "监管类型", "total": "合计",
})

#: reason code of a rejected input row → what it means in Chinese (rejects.xlsx with zh)
REASONS_ZH: Mapping[str, str] = MappingProxyType({
    "missing_value": "必填值为空",
    "bad_credit_code": "不是有效的18位统一社会信用代码（GB 32100-2015：校验码、登记管理部门、"
                       "机构类别或行政区划码有误）",
    "bad_org_code": "统一社会信用代码中的组织机构代码（第9-17位）校验码不符合 GB 11714"
                    "（确属登记在册的代码可用 --allow-codes 准入）",
    "bad_region_code": "不是6位行政区划代码（GB/T 2260）",
    "bad_date": "不是有效日期（年-月-日，如 2024-05-01、2024/5/1、2024年5月1日），"
                "或日历上不存在的日期（如 2025-02-30、2025-13-01）",
    "future_date": "日期晚于本次运行的参照日期",
    "recorded_before_event": "记录日期（recorded_at）早于事件日期（event_date）",
    "bad_number": "不是十进制数字",
    "negative_amount": "金额小于零",
    "amount_unit": "金额带有单位（如“万”），请填写以元为单位的数字",
    "out_of_domain": "监测值超出该指标的取值范围（如比例大于1）",
    "revocation_cycle": "撤销记录撤销其自身或构成循环撤销",
    "extra_field": "该行字段数多于表头",
    "bare_cr": "未加引号的值中含有回车符",
    "undecodable": "该行字节不符合文件编码",
    "formula_no_value": "Excel 公式单元格没有保存计算结果",
    "merged_cell": "该行位于合并单元格内",
    "bad_value": "取值不在该列的取值范围内",
    "unknown_event_type": "既不是数据格式规定的事件类型，也不是评价规则声明的事件类型",
    "duplicate_id": "编号与前面某行重复",
    "unknown_firm": "企业不在企业表中（或其所在行已被拒收）",
    "unknown_ref_event": "ref_event_id 指向的事件不存在或未被接收",
    "unknown_indicator": "评价规则未声明该指标",
    "bad_period": "不是评价期间（YYYY 或 YYYY-MM）",
    "unknown_grade": "不是该评价规则的等级",
    "duplicate_measurement": "同一企业、期间和指标有第二个监测值",
    "duplicate_history": "同一企业和期间有第二条历史记录",
    # whole files (reported by the readers, not usually rows of rejects.csv)
    "unreadable": "文件无法读取",
    "wrong_format": "文件格式与扩展名不符",
    "duplicate_column": "表头中有重复的列名",
    "missing_column": "缺少必需的列",
    "bad_input": "输入无法识别",
})

#: the facts an English reject message adds to its reason code, carried into Chinese:
#: (reason code, pattern matched on the English message, Chinese text) — the Chinese text
#: replaces the reason's general meaning; its ``{0}``, ``{1}``… are the pattern's groups
REASON_DETAILS_ZH: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (code, re.compile(pattern), zh) for code, pattern, zh in (
        ("duplicate_id", r"^The same (\w+) is on data row (\d+)\.$",
         "{0} 与第 {1} 个数据行（不计表头）重复"),
        ("duplicate_id", r"^The same (\w+) is on row (\d+) of sheet (.+)\.$",
         "{0} 与工作表“{2}”第 {1} 行重复"),
        ("duplicate_id", r"^The same (\w+) is on row (\d+)\.$", "{0} 与第 {1} 行重复"),
        ("bad_number", r"^Not a decimal number of yuan with at most two decimals",
         "不是以元为单位、最多两位小数（分）的十进制数字；千位分隔符只能用于每三位数字之间"
         "（如 1,500.00）"),
        ("bad_number", r"^Indicator '(.+)' takes a number\.$", "指标 {0} 的取值须为十进制数字"),
        ("out_of_domain", r"^Indicator '(.+)' \((.+)\) takes values from (\S+) to (\S+?)"
                          r"(?: \(a fraction: 95% is 0\.95\))?\.$",
         "指标 {0}（{1}）的取值范围为 {2} 至 {3}"),
    ))

#: message key → {language: template}; placeholders are :meth:`str.format` fields
TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in {
    # ---- ecocredit score: the summary printed ------------------------------------------
    "score.head": {
        "en": "Scored {firms} firms under {ruleset} {version} for period {period} "
              "(evaluated on {date}).",
        "zh": "已按评价规则 {ruleset}（{version}）评价 {firms} 家企业，评价期间 {period}"
              "（评价日 {date}）。"},
    "score.not_graded": {"en": NOT_GRADED + " (not graded)", "zh": NOT_GRADED},
    "score.rejected": {"en": "Rejected input rows: {n}", "zh": "拒收的输入行：{n}"},
    "score.see_rejects": {"en": " (see rejects.csv)",
                          "zh": "（见 rejects.csv；中文说明见 --xlsx 写出的 rejects.xlsx）"},
    # a command without --xlsx: no rejects.xlsx to point to
    "score.see_rejects_csv": {"en": " (see rejects.csv)", "zh": "（见 rejects.csv）"},
    "score.written": {"en": "Outputs written to {out}", "zh": "输出已写入 {out}"},
    "score.lists": {
        "en": "Lists in force: red {red}, black {black} (see the list and list_until columns)",
        "zh": "有效名单：红名单 {red} 家，黑名单 {black} 家（见 list 和 list_until 列）"},
    "score.bands_assumed": {
        "en": "Note: the grade cut-offs of {ruleset} are not published; the bands used are a "
              "parameter: {note}",
        "zh": "注意：{ruleset} 的等级分数线未公布，所用分段为参数：{note}"},
    "score.levels": {"en": "Sub-levels (档次): {levels}", "zh": "档次：{levels}"},
    # ---- warnings of a scoring run (ecocredit.read.coverage; the manifest keeps English) --
    "warning.prefix": {"en": "Warning: ", "zh": "警告："},
    "warning.admitted_code": {
        "en": "{code} fails the GB 32100 checks and was admitted by the allow-list "
              "{allow_codes}.",
        "zh": "{code} 未通过 GB 32100 校验，已按准入清单 {allow_codes} 接受。"},
    "warning.no_events_in_period": {
        "en": "No accepted event falls in the period {period}: every firm is graded as if it "
              "had a clean record. Check the events file and the period.",
        "zh": "评价期间 {period} 内没有任何被接受的事件记录：所有企业均按无不良记录评定。"
              "请检查事件文件和评价期间。"},
    "warning.no_measurements": {
        "en": "The ruleset {ruleset} reads measured indicators ({indicators}) but no "
              "measurements were accepted: the rules on them score as if nothing were known. "
              "Give --measurements.",
        "zh": "评价规则 {ruleset} 读取监测指标（{indicators}），但没有被接受的监测数据："
              "相关条款按一无所知计分。请提供 --measurements。"},
    "warning.period_not_ended": {
        "en": "The period {period} ends on {end}, after today ({today}): events still to come "
              "are not in the grades.",
        "zh": "评价期间 {period} 于 {end} 结束，晚于今天（{today}）：此后发生的事件未计入等级。"},
    # ---- a date that names no day (rejects, bad_date) --------------------------------------
    "date.no_such_day": {
        "en": "{value} is not a day of the calendar: {month} {year} has {days} days.",
        "zh": "{value} 不是日历上存在的日期：{year}年{month}月只有 {days} 天。"},
    "date.no_such_month": {
        "en": "{value} is not a day of the calendar: a year has 12 months (01 to 12).",
        "zh": "{value} 不是日历上存在的日期：月份只有 1 至 12 月。"},
    "date.day_zero": {
        "en": "{value} is not a day of the calendar: the days of a month count from 01.",
        "zh": "{value} 不是日历上存在的日期：每月的日期从 1 日起算。"},
    "date.no_such_time": {
        "en": "{value}: the time is not a time of day (hours 00 to 23, minutes and seconds "
              "00 to 59).",
        "zh": "{value} 中的时间不是一天中的时刻（时为 00 至 23，分、秒为 00 至 59）。"},
    # ---- ecocredit publish ---------------------------------------------------------------
    "publish.stage.draft": {"en": "draft result published for comment",
                            "zh": "评价结果（初评）公示"},
    "publish.stage.final": {"en": "final result released", "zh": "评价结果发布"},
    "publish.objections_until": {"en": "; objections may be filed until {end}",
                                 "zh": "；异议受理截止 {end}"},
    "publish.done": {
        "en": "Published run {run_id} at stage {stage} on {day}{end}: {records} firms recorded "
              "(register #{first}-#{last}); {counts}.\nPublic files written to {out}: "
              "public.xlsx, public.csv, report.html",
        "zh": "运行 {run_id} 于 {day} {stage}{end}：登记 {records} 家企业"
              "（信用档案 #{first}-#{last}）；{counts}。\n公示文件已写入 {out}："
              "public.xlsx、public.csv、report.html"},
    "html.objection_window": {"en": " – {end} (objections may be filed during the period)",
                              "zh": " – {end}（公示期内可提出异议）"},
    "html.ruleset_line": {
        "en": "Ruleset {ruleset} {version}; {graded} firms graded, {not_graded} not graded.",
        "zh": "评价规则 {ruleset}（{version}）；评定等级 {graded} 家，" + NOT_GRADED
              + " {not_graded} 家。"},
    "html.firms": {"en": "firms", "zh": "企业数"},
    "html.all": {"en": "all", "zh": "全部"},
    "html.by_grade": {"en": "graded firms by grade", "zh": "各评价等级企业数"},
    "html.by_region": {"en": "graded firms by region", "zh": "各地区评价等级分布"},
    "html.by_industry": {"en": "graded firms by industry", "zh": "各行业评价等级分布"},
    "html.first_chars": {"en": " (first {width} characters)", "zh": "（按代码前 {width} 位）"},
    "html.largest": {"en": " (30 largest)", "zh": "（前 30 位）"},
    # ---- ecocredit draw / inspection-frequency ------------------------------------------
    "draw.head": {
        "en": "Drew {checks} checks for {quarter} (seed {seed}) under {policy} {version}: "
              "{staffed} staffed, {unstaffed} unstaffed.",
        "zh": "按 {policy}（{version}）为 {quarter} 抽取 {checks} 次检查（随机种子 {seed}）："
              "已安排检查人员 {staffed} 次，检查人员不足 {unstaffed} 次。"},
    "draw.load": {
        "en": "Officers' load: {officers} officers, checks min {min}, median {median:g}, "
              "max {max}",
        "zh": "执法人员工作量：{officers} 人，每人检查最少 {min} 次，中位数 {median:g} 次，"
              "最多 {max} 次"},
    "draw.unit_load": {
        "en": "  {unit} {unit_name}: {officers} officers, checks min {min}, median {median:g}, "
              "max {max}",
        "zh": "  {unit} {unit_name}：{officers} 人，每人检查最少 {min} 次，中位数 {median:g} 次，"
              "最多 {max} 次"},
    "draw.shortfall": {
        "en": "Shortfall: {units} unit(s) cannot staff {checks} check(s) (see shortfall.csv):",
        "zh": "人员不足：{units} 个单位有 {checks} 次检查无法安排检查人员（见 shortfall.csv）："},
    "draw.shortfall_unit": {
        "en": "  {unit} {unit_name}: {unstaffed} of {required} unstaffed; {reason}",
        "zh": "  {unit} {unit_name}：{required} 次中 {unstaffed} 次无人员；{reason}"},
    # the reason of each check of the draw (plan.csv keeps English; plan_public.xlsx in zh)
    "draw.reason.share": {"en": "{pct}% per {per}", "zh": "每{per} {pct}%"},
    "draw.reason.per_officer": {"en": "{n} units per officer a year",
                                "zh": "每名执法人员每年 {n} 家"},
    "draw.reason.routine": {"en": "routine ", "zh": "一般"},
    "draw.reason.class_rate": {
        "en": "random draw at the class rate: {share} of the county's {routine}class {k} units",
        "zh": "按监管类别比例随机抽取（{share}）：县（市、区）{routine}{k}类单位"},
    "draw.reason.pool_rate": {"en": "{label}: {pct}% per {per} of the pool",
                              "zh": "{label}：每{per}抽取该类单位的 {pct}%"},
    "draw.reason.drawn": {"en": "{words} ({drawn} drawn of {of} this quarter)",
                          "zh": "{words}（本季度从 {of} 家中抽取 {drawn} 家）"},
    "draw.reason.coverage": {
        "en": "coverage: {label}; not yet visited in {span} ({drawn} drawn of the {of} not yet "
              "visited, {left} quarter(s) to go)",
        "zh": "全覆盖：{label}；{span} 年尚未检查（本季度从 {of} 家尚未检查的单位中抽取 {drawn} 家，"
              "剩余 {left} 个季度）"},
    "draw.reason.category": {"en": "{head} — {reason}", "zh": "监管类型 {head}：{reason}"},
    "draw.reason.city": {
        "en": "city-level random draw at the class rate: {pct}% per {per} of the city's routine "
              "class {k} units ({drawn} drawn of {of} this quarter)",
        "zh": "市级按监管类别比例随机抽取（每{per} {pct}%）：设区市一般{k}类单位"
              "（本季度从 {of} 家中抽取 {drawn} 家）"},
    "draw.short.officers": {"en": "{officers} officer(s) in the unit; every check needs {per}",
                            "zh": "本单位执法人员 {officers} 人；每次检查需要 {per} 人"},
    "draw.short.capacity": {
        "en": "too few officers: {officers} officers can take {cap} officer-checks this quarter; "
              "{required} checks need {slots}",
        "zh": "执法人员不足：{officers} 人本季度最多承担 {cap} 人次检查；{required} 次检查需要 {slots} 人次"},
    "draw.short.conflicts": {
        "en": "declared conflicts or the officers' maximum leave fewer than {per} eligible "
              "officers for {unstaffed} check(s)",
        "zh": "因申报的回避关系或每人检查上限，{unstaffed} 次检查可安排的执法人员少于 {per} 人"},
    "draw.public_written": {"en": "Public plan (Chinese headers): {path}",
                            "zh": "抽查公示表：{path}"},
    "frequency.head": {
        "en": "Inspection frequency of {firms} firms under {policy} {version}, records as of "
              "{as_of}{grades}.",
        "zh": "按 {policy}（{version}）确定 {firms} 家企业的检查频次，记录截至 {as_of}"
              "{grades}。"},
    "frequency.grades": {"en": ", grades of {ruleset} {period}",
                         "zh": "，信用等级取自 {ruleset} {period}"},
    "frequency.no_grades": {"en": ", no grades given", "zh": "，未提供信用评价等级"},
    # ---- ecocredit report (the page of a run) -------------------------------------------
    "report.title": {"en": "Environmental credit run: {ruleset} {period}",
                     "zh": "企业环境信用评价：{ruleset} {period}"},
    "report.line_ruleset": {
        "en": "Ruleset {ruleset} {version}, period {period} (evaluated on {date}{as_of})",
        "zh": "评价规则 {ruleset}（{version}），评价期间 {period}（评价日 {date}{as_of}）"},
    "report.as_of": {"en": ", records as of {as_of}", "zh": "，记录截至 {as_of}"},
    "report.line_counts": {
        "en": "{firms:,} firms, {graded:,} graded; {rejects:,} input rows rejected",
        "zh": "企业 {firms:,} 家，评定等级 {graded:,} 家；拒收输入行 {rejects:,} 行"},
    "report.line_run": {"en": "Run directory {dir}; ecocredit {version}",
                        "zh": "运行目录 {dir}；ecocredit {version}"},
    "report.grades": {"en": "Grade distribution", "zh": "评价等级分布"},
    "report.grades_caption": {"en": "Firms per grade.", "zh": "各评价等级的企业数。"},
    "report.by": {"en": "Grades by {title}", "zh": "按{title}的评价等级分布"},
    "report.by_caption": {"en": "Firms per grade and {title} (the {shown} largest of {total}).",
                          "zh": "按{title}和评价等级的企业数（{total} 个中最大的 {shown} 个）。"},
    "report.city": {"en": "city (region code)", "zh": "设区市（行政区划代码）"},
    "report.industry": {"en": "industry division (GB/T 4754)", "zh": "行业大类（GB/T 4754）"},
    "report.lists": {"en": "Red and black lists", "zh": "红名单与黑名单"},
    "report.lists_caption": {"en": "Firms on each list.", "zh": "各名单的企业数。"},
    "report.list_red": {"en": "Red list ({n:,} firms)", "zh": "红名单（{n:,} 家）"},
    "report.list_black": {"en": "Black list ({n:,} firms)", "zh": "黑名单（{n:,} 家）"},
    "report.rules": {"en": "Rules that moved the most points", "zh": "影响得分最多的条款"},
    "report.rules_caption": {"en": "The rules that moved the most points, over all firms.",
                             "zh": "全部企业中影响分值最多的条款。"},
    "report.changes": {"en": "Changes against {prev}", "zh": "与 {prev} 相比的变化"},
    "report.changes_none": {"en": "Changes against the previous period",
                            "zh": "与上一评价期间相比的变化"},
    "report.no_history": {
        "en": "No history was given to the run: no comparison with a previous period.",
        "zh": "本次运行未提供历史评价结果，无法与上一评价期间比较。"},
    "report.history_unreadable": {
        "en": "The run's history table cannot be read ({why}): no comparison.",
        "zh": "无法读取本次运行的历史评价结果（{why}），无法比较。"},
    "report.no_earlier": {"en": "The history has no period before {period}: no comparison.",
                          "zh": "历史评价结果中没有 {period} 之前的期间，无法比较。"},
    "report.changes_caption": {
        "en": "Firms by published grade in {prev} (rows) and grade now (columns).",
        "zh": "按 {prev} 公布的等级（行）和本次等级（列）的企业数。"},
    "report.changed_firms": {"en": "Firms whose grade or list changed since {prev} ({n:,})",
                             "zh": "自 {prev} 以来等级或名单发生变化的企业（{n:,} 家）"},
    "report.written": {"en": "Report written to {html} (tables in {xlsx})",
                       "zh": "报告已写入 {html}（数据表见 {xlsx}）"},
    "page.rows_behind": {"en": "The rows behind this chart", "zh": "本图对应的数据行"},
    "page.click": {"en": " (click a bar or cell to go to its row).",
                   "zh": "（点击柱形或单元格可跳转到对应行）。"},
    "page.filter": {"en": "filter rows", "zh": "筛选"},
    "page.more": {"en": "First {shown:,} of {total:,} rows; all of them are in the workbook "
                        "(.xlsx) written beside this page.",
                  "zh": "共 {total:,} 行，此处显示前 {shown:,} 行；全部数据见本页旁的工作簿（.xlsx）。"},
}.items()})


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`.

    Raises
    ------
    ValueError
        Another language.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def t(key: str, lang: str = "en", **fields: Any) -> str:
    """The message ``key`` in ``lang``, its placeholders filled from ``fields``.

    Parameters
    ----------
    key : str
        A key of :data:`TEXT`.
    lang : {'en', 'zh'}
    **fields
        The values of the template's placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        An unknown key or a missing placeholder.
    ValueError
        An unknown language.

    Examples
    --------
    >>> t("score.rejected", "zh", n=3)
    '拒收的输入行：3'
    """
    return TEXT[key][check_lang(lang)].format(**fields)


def headers(table: Mapping[str, str], lang: str) -> dict[str, str]:
    """Column → header shown: the Chinese ``table`` in ``zh``, the column names in ``en``."""
    return dict(table) if check_lang(lang) == "zh" else {}


def value(column: str, v: str, lang: str) -> str:
    """A value of a people's output in ``lang`` (unchanged in ``en`` or when not listed)."""
    if lang != "zh":
        return v
    return VALUES.get(column, {}).get(v, v)


def reject_messages(rejects: Any, lang: str) -> Any:
    """The ``message`` column of a rejects table in ``lang``: in ``zh`` the reason code's
    Chinese meaning, then the offending value; in ``en`` the English messages unchanged.

    Parameters
    ----------
    rejects : DataFrame
        Rows of rejects.csv (``reason_code``, ``value``, ``message``, …).
    lang : {'en', 'zh'}

    Returns
    -------
    DataFrame
        A copy, with ``message`` replaced in ``zh``.
    """
    out = rejects.copy()
    if check_lang(lang) == "zh" and len(out):
        n = len(out)
        vals = out["value"].astype(str) if "value" in out.columns else [""] * n
        msgs = out["message"].astype(str) if "message" in out.columns else [""] * n
        out["message"] = [(c == "bad_date" and _no_such_day_zh(v)) or
                          reason_zh(c, m) + (f"：{v}" if v else "")
                          for c, v, m in zip(out["reason_code"].astype(str), vals, msgs)]
    return out


def reason_zh(code: str, message: str = "") -> str:
    """A reject's reason in Chinese, with the facts its English ``message`` adds (the other
    row of a ``duplicate_id``, the form of a ``bad_number``; :data:`REASON_DETAILS_ZH`).

    Examples
    --------
    >>> reason_zh("duplicate_id", "The same firm_id is on row 3 of sheet 企业1.")
    'firm_id 与工作表“企业1”第 3 行重复'
    >>> reason_zh("duplicate_id")
    '编号与前面某行重复'
    """
    for c, pattern, zh in REASON_DETAILS_ZH:
        m = pattern.search(message) if c == code else None
        if m:
            return zh.format(*m.groups())
    return REASONS_ZH.get(code, code)


def _no_such_day_zh(v: str) -> str | None:
    """The Chinese ``bad_date`` message of a date that names no day, or None."""
    problem = calendar_problem(v, "zh")
    return None if problem is None else t(problem[0], "zh", **problem[1])
