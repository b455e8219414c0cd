"""The data format's closed vocabularies: column names and their Chinese aliases, event types,
severities, media, statuses, the Chinese values accepted for them, and the reason codes of the
rejects table.

``docs/data-format.md`` is generated from this module (``python -m ecocredit.docgen
data-format``); version 1 of the data format. Rulesets may declare additional event types; they
never change these.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

__all__ = [
    "CONTRACT_VERSION",
    "TABLES",
    "COLUMN_ALIASES",
    "EVENT_TYPES",
    "POSITIVE_EVENT_TYPES",
    "ADMIN_EVENT_TYPES",
    "SEVERITIES",
    "MEDIA",
    "FIRM_STATUSES",
    "SUPERVISION_CLASSES",
    "PERMIT_TYPES",
    "LISTS",
    "MEASURE_ACTIONS",
    "REPAIR_REASON_CODES",
    "REASON_CODES",
    "VALUE_ALIASES",
    "BOOLEAN_VALUES",
]

CONTRACT_VERSION = 1

# table -> (required columns, optional columns), canonical English names in contract order
TABLES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType({
    "firms": (
        ("firm_id", "name", "region_code"),
        ("industry_code", "supervision_class", "key_discharger", "permit_type",
         "positive_list", "status", "included_since"),
    ),
    "events": (
        ("event_id", "firm_id", "event_date", "event_type"),
        ("amount", "severity", "medium", "ref_event_id", "recorded_at"),
    ),
    "measurements": (
        ("firm_id", "period", "indicator", "value"),
        (),
    ),
    "history": (
        ("firm_id", "period", "grade"),
        ("list", "list_until"),
    ),
})

# Chinese header -> canonical column, per table (统一社会信用代码 names firm_id in every table)
COLUMN_ALIASES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "firms": MappingProxyType({
        "统一社会信用代码": "firm_id", "企业名称": "name", "行政区划代码": "region_code",
        "行业代码": "industry_code", "监管类别": "supervision_class",
        "重点排污单位": "key_discharger", "排污许可管理类别": "permit_type",
        "正面清单": "positive_list", "状态": "status", "纳入日期": "included_since",
    }),
    "events": MappingProxyType({
        "记录编号": "event_id", "统一社会信用代码": "firm_id", "日期": "event_date",
        "行为类型": "event_type", "罚款金额": "amount", "事件等级": "severity",
        "要素": "medium", "关联记录": "ref_event_id", "录入日期": "recorded_at",
    }),
    "measurements": MappingProxyType({
        "统一社会信用代码": "firm_id", "期间": "period", "指标": "indicator", "值": "value",
    }),
    "history": MappingProxyType({
        "统一社会信用代码": "firm_id", "期间": "period", "等级": "grade", "名单": "list",
        "名单截止": "list_until",
    }),
})

# code -> Chinese label. Order is the contract's.
EVENT_TYPES: Mapping[str, str] = MappingProxyType({
    # penalties and orders
    "warning": "警告",
    "order_to_correct": "责令改正",
    "fine": "罚款",
    "daily_penalty": "按日连续处罚",
    "seal_seize": "查封扣押",
    "production_restriction": "责令限制生产",
    "production_suspension": "责令停产整治",
    "closure_order": "责令停业关闭",
    "permit_revoked": "吊销许可证",
    "detention": "移送行政拘留",
    "crime_referral": "涉嫌犯罪移送",
    "crime_conviction": "构成环境犯罪",
    "penalty_not_executed": "拒不执行处罚决定",
    "listed_supervision": "挂牌督办",
    # violations found
    "exceedance": "超标排放",
    "total_load_exceeded": "超总量",
    "eia_unapproved_construction": "未批先建",
    "acceptance_unapproved_operation": "未验先投",
    "major_change_unapproved": "重大变动未重新报批",
    "concealed_discharge": "暗管/渗井/旁路逃避监管",
    "hazwaste_illegal": "非法处置或转移危险废物",
    "monitoring_fraud": "监测数据造假或不正常运行监测设施",
    "unlicensed_discharge": "无证或不按证排污",
    "refused_inspection": "拒绝阻挠检查",
    "heavy_pollution_order_refused": "重污染天气拒不停限产",
    "disclosure_failure": "未依法公开环境信息",
    "self_monitoring_failure": "未按规定自行监测",
    # incidents and social supervision
    "incident": "突发环境事件",
    "complaint_verified": "投诉举报属实",
    "media_exposure": "媒体曝光属实",
    "yellow_card": "黄牌警示",
    "red_card": "红牌警示",
    # positive and remedial
    "rectification_completed": "整改完成",
    "credit_commitment": "信用承诺",
    "commendation": "表彰",
    "leader": "环保领跑者",
    "liability_insurance": "环境污染责任保险",
    "open_day": "设施向公众开放",
    "cleaner_production_audit": "清洁生产审核",
    # administrative
    "revocation": "撤销",
})

POSITIVE_EVENT_TYPES = frozenset({
    "rectification_completed", "credit_commitment", "commendation", "leader",
    "liability_insurance", "open_day", "cleaner_production_audit",
})
ADMIN_EVENT_TYPES = frozenset({"revocation"})

# ordered from least to most serious: 一般/较大/重大/特别重大
SEVERITIES: Mapping[str, str] = MappingProxyType({
    "general": "一般", "larger": "较大", "major": "重大", "especially_major": "特别重大",
})
MEDIA: Mapping[str, str] = MappingProxyType({
    "water": "水", "air": "大气", "noise": "噪声", "solid": "固体废物",
    "hazardous_waste": "危险废物", "soil": "土壤",
})
FIRM_STATUSES = ("operating", "suspended", "closed")
SUPERVISION_CLASSES = ("A", "B", "C")
PERMIT_TYPES = ("key", "simplified", "registration")
LISTS = ("red", "black")

# column -> Chinese value -> code: the Chinese values the ingest accepts besides the codes
VALUE_ALIASES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "event_type": MappingProxyType({v: k for k, v in EVENT_TYPES.items()}),
    "severity": MappingProxyType({v: k for k, v in SEVERITIES.items()}),
    "medium": MappingProxyType({v: k for k, v in MEDIA.items()}
                               | {"气": "air", "固废": "solid", "危废": "hazardous_waste"}),
    "status": MappingProxyType({"正常": "operating", "运营": "operating", "在产": "operating",
                                "停产": "suspended", "关闭": "closed", "注销": "closed"}),
    "permit_type": MappingProxyType({"重点管理": "key", "简化管理": "simplified",
                                     "登记管理": "registration"}),
    "list": MappingProxyType({"红名单": "red", "黑名单": "black"}),
})
# the spellings of a boolean column (case-insensitive)
BOOLEAN_VALUES: Mapping[str, bool] = MappingProxyType({
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "y": True, "n": False, "是": True, "否": False, "t": True, "f": False})

# actions at which the measures of a grade or list are checked (逢办必查): code -> Chinese label
MEASURE_ACTIONS: Mapping[str, str] = MappingProxyType({
    "permit": "行政许可（排污许可、危废经营许可等）",
    "eia": "环评审批",
    "subsidy": "环保专项资金与补贴",
    "loan": "信贷推送",
    "insurance": "环境污染责任保险",
    "procurement": "政府采购",
    "award": "评优评先",
    "penalty_decision": "行政处罚决定",
    "inspection": "执法检查与监督性监测",
    "supervision": "日常监管（整改报告等）",
    "electricity": "差别电价",
    "sewage_fee": "差别污水处理费",
})

# why a credit-repair application was refused (closed set)
REPAIR_REASON_CODES: Mapping[str, str] = MappingProxyType({
    "no_repair_policy": "the ruleset declares no credit repair",
    "repair_not_allowed": "the ruleset allows no early repair",
    "unknown_firm": "the firm is not among the run's firms",
    "not_graded": "the firm was not graded in the run",
    "nothing_to_repair": "neither the grade nor a list entry can be repaired",
    "before_publication": "the application predates the evaluation date",
    "too_early": "the minimum period since publication has not passed",
    "too_late": "the application comes after the window for applying",
    "excluded_violation": "a malicious or serious violation excludes repair",
    "repeat": "an earlier repair lies within the no-repeat window",
    "no_commitment": "no credit commitment was given",
    "not_rectified": "adverse records of the period are not named as rectified",
})

# reason_code -> what it means (the closed set used in rejects.csv)
REASON_CODES: Mapping[str, str] = MappingProxyType({
    "missing_value": "a required value is empty",
    "bad_credit_code": "not a valid 18-character unified social credit code (GB 32100-2015: "
                       "check character, registration authority and type, division digits)",
    "bad_org_code": "a credit code whose embedded organisation code (characters 9-17) fails its "
                    "GB 11714 check character (admit real registered codes with --allow-codes)",
    "bad_region_code": "not a 6-digit GB/T 2260 administrative division code",
    "bad_date": "not a year-month-day date (YYYY-MM-DD, 2024/5/1, 2024.05.01, 2024年5月1日, "
                "or a date and time such as 2025-12-31T16:30+08:00 or 2025/2/28 8:00, taken "
                "in China time), or a day the calendar lacks (2025-02-30, 2025-13-01) or a time "
                "that is not a time of day (2025-12-31T25:00): the message says so",
    "future_date": "a date later than the run's reference date",
    "recorded_before_event": "recorded_at is earlier than event_date",
    "bad_number": "not a decimal number",
    "negative_amount": "an amount below zero",
    "amount_unit": "an amount written with a unit such as 万 (write the number of yuan)",
    "out_of_domain": "a measured value outside the indicator's domain (a fraction above 1 ...)",
    "revocation_cycle": "a revocation that revokes itself or is part of a cycle of revocations",
    "extra_field": "a row with more fields than the header",
    "bare_cr": "a carriage return inside an unquoted value",
    "undecodable": "a row whose bytes are not in the file's encoding",
    "formula_no_value": "an Excel formula cell without a saved value",
    "merged_cell": "a row covered by merged Excel cells",
    "bad_value": "a value outside the column's vocabulary",
    "unknown_event_type": "neither an event type of the data format nor one the ruleset declares",
    "duplicate_id": "the identifier appeared on an earlier row",
    "unknown_firm": "names a firm that is not in the firms table (or whose row was rejected)",
    "unknown_ref_event": "ref_event_id names no accepted event",
    "unknown_indicator": "an indicator the ruleset does not declare",
    "bad_period": "not a period YYYY or YYYY-MM",
    "unknown_grade": "not a grade id of the ruleset",
    "duplicate_measurement": "a second value for the same firm, period and indicator",
    "duplicate_history": "a second record for the same firm and period",
})
