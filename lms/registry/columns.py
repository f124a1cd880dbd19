"""The filing-form columns (shared/domain/filing-form.md) and how each cell is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False


COLUMNS = (
    Column("filing_no", "备案编号", "filing_no"),
    Column("enterprise_name", "企业名称", "enterprise_name", True),
    Column("uscc", "统一社会信用代码", "uscc", True),
    Column("town", "所在镇街", "town", True),
    Column("industry_code", "行业代码", "industry_code"),
    Column("industry", "所属行业", "industry"),
    Column("size", "企业规模", "size", True),
    Column("above_scale", "是否规上企业", "above_scale", True),
    Column("officer_name", "首席质量官姓名", "officer_name", True),
    Column("gender", "性别", "gender"),
    Column("id_number", "身份证号", "id_number"),
    Column("education", "学历", "education"),
    Column("title", "职称", "title"),
    Column("position", "现任职务", "position", True),
    Column("years_in_quality", "质量工作年限", "years_in_quality"),
    Column("mobile", "手机号码", "mobile", True),
    Column("email", "电子邮箱", "email"),
    Column("appointed_on", "聘任日期", "appointed_on", True),
    Column("filed_on", "备案日期", "filed_on", True),
    Column("status", "状态", "status"),
    Column("ended_on", "离任日期", "ended_on"),
    Column("end_reason", "变更原因", "end_reason"),
)
BY_KEY = {c.key: c for c in COLUMNS}
# The headers in the page's language, where a page names columns to the reader.
LABELS = {
    "filing_no": _l("备案编号"), "enterprise_name": _l("企业名称"), "uscc": _l("统一社会信用代码"),
    "town": _l("所在镇街"), "industry_code": _l("行业代码"), "industry": _l("所属行业"), "size": _l("企业规模"),
    "above_scale": _l("是否规上企业"), "officer_name": _l("首席质量官姓名"), "gender": _l("性别"),
    "id_number": _l("身份证号"), "education": _l("学历"), "title": _l("职称"), "position": _l("现任职务"),
    "years_in_quality": _l("质量工作年限"), "mobile": _l("手机号码"), "email": _l("电子邮箱"),
    "appointed_on": _l("聘任日期"), "filed_on": _l("备案日期"), "status": _l("状态"), "ended_on": _l("离任日期"),
    "end_reason": _l("变更原因"),
}
HEADER_NAMES = {name: c.key for c in COLUMNS for name in (c.zh, c.en, c.en.replace("_", " "))}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)

# Columns of the export back to the registry, after the filing-form ones.
EXPORT_EXTRA = ("培训状态", "证书编号", "发证日期", "证书有效期至", "已获学时", "考试成绩")

SIZES = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro",
         "large": "large", "medium": "medium", "small": "small", "micro": "micro"}
SIZE_LABELS = {"large": _l("大型"), "medium": _l("中型"), "small": _l("小型"), "micro": _l("微型")}
YES_NO = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
          "true": True, "false": False, "1": True, "0": False}
STATUSES = {"在任": "current", "已变更": "replaced", "已注销": "removed",
            "current": "current", "replaced": "replaced", "removed": "removed"}
STATUS_LABELS = {"current": _l("在任"), "replaced": _l("已变更"), "removed": _l("已注销")}
STATUS_ZH = {"current": "在任", "replaced": "已变更", "removed": "已注销"}
GENDERS = {"男": "男", "女": "女", "m": "男", "f": "女", "male": "男", "female": "女"}
EDUCATIONS = ("中专", "大专", "本科", "硕士", "博士")
END_REASONS = ("离职", "调岗", "退出", "其他")  # stored as written on the filing form
END_REASON_LABELS = {"离职": _l("离职"), "调岗": _l("调岗"), "退出": _l("退出"), "其他": _l("其他")}
# The longest text each free-text column may hold, as the database stores it (registry/models.py).
MAX_LENGTHS = {"filing_no": 40, "enterprise_name": 200, "officer_name": 50, "title": 50, "position": 50,
               "email": 254}
# Invisible characters a copy from elsewhere leaves in a cell (NUL, other C0/C1 controls,
# zero-width spaces, a stray BOM): dropped on reading, as surrounding spaces are.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACE_IN_CHINESE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def fold_name(name: str) -> str:
    """A Chinese personal name without the spaces office files pad it with (李　娜 → 李娜), so
    that searching finds it; spaces in a name written in Latin letters stay."""
    return _SPACE_IN_CHINESE.sub("", name) if " " in name else name


# Dates before this are misreadings (a number taken for an Excel date is near 1900), not filings.
EARLIEST_DATE = date(1990, 1, 1)
INDUSTRY_CODE = re.compile(r"[A-T](\d{2,4})?")
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")  # one way to read each address: no backtracking when joined (column_checks)

_DATE_TEXT = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's 1900 date system, leap-year bug included


def parse_date(value: object) -> date | None:
    """A date from an Excel cell: a date, a serial number, or text like 2021.3.5 / 2021年3月5日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _EXCEL_EPOCH + timedelta(days=int(value)) if 1 <= value < 2958466 else None
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():  # the common case, fast
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = _DATE_TEXT.fullmatch(text)
    if match is None:
        if len(text) == 8 and text.isdecimal():  # 20210305
            match = (text[:4], text[4:6], text[6:])
        elif text.replace(".", "", 1).isdecimal():  # a serial stored as text
            return parse_date(float(text))
        else:
            return None
    else:
        match = match.groups()
    try:
        return date(int(match[0]), int(match[1]), int(match[2]))
    except ValueError:
        return None


def date_parts(value: object) -> tuple[int, int, int] | None:
    """The year, month and day a text date is written with (parse_date's shapes), whether or
    not that day exists: the import then says which part is wrong, not that it is unreadable."""
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdecimal():
        return int(text[:4]), int(text[5:7]), int(text[8:])
    if match := _DATE_TEXT.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if len(text) == 8 and text.isdecimal():
        return int(text[:4]), int(text[4:6]), int(text[6:])
    return None
