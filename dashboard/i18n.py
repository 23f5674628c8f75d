"""Every label of the dashboard in Simplified Chinese and English, and the language switch.

The language is a cookie (`lang`) set by `/lang/<code>`, so layouts and callbacks, which all
run inside a Flask request, read it with `current_lang()`. Chinese is the default.
Names that live in the warehouse (indicators) are translated by the warehouse's own
`name_zh` / `name_en` columns through `pick`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import flask

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

LABELS: dict[str, dict[str, str]] = {
    # app and navigation
    "app.title": {"zh": "乡镇干部绩效分析", "en": "Town staff performance"},
    "app.brand": {"zh": "乡镇干部绩效分析", "en": "Town staff performance"},
    "lang.zh": {"zh": "中文", "en": "中文"},
    "lang.en": {"zh": "English", "en": "English"},
    "lang.switch": {"zh": "语言", "en": "Language"},
    "page.overview": {"zh": "领导驾驶舱", "en": "Leadership overview"},
    "page.not_found": {"zh": "页面不存在", "en": "Page not found"},
    # sign-in and access
    "page.admin": {"zh": "系统管理", "en": "Administration"},
    "page.public": {"zh": "公开信息", "en": "Public summary"},
    "page.methodology": {"zh": "考核办法", "en": "Methodology"},
    "admin.subtitle": {
        "zh": "账号与审计日志：谁在何时查看或导出了谁的数据",
        "en": "Accounts and the audit log: who viewed or exported whose data, and when",
    },
    "admin.accounts": {"zh": "账号", "en": "Accounts"},
    "admin.audit": {"zh": "审计日志", "en": "Audit log"},
    "admin.username": {"zh": "用户名", "en": "User"},
    "admin.role": {"zh": "角色", "en": "Role"},
    "admin.staff_id": {"zh": "工号", "en": "Staff id"},
    "admin.office": {"zh": "科室", "en": "Office"},
    "admin.at": {"zh": "时间", "en": "When"},
    "admin.action": {"zh": "操作", "en": "Action"},
    "admin.subject": {"zh": "对象", "en": "Subject"},
    "admin.detail": {"zh": "说明", "en": "Detail"},
    "auth.login": {"zh": "登录", "en": "Sign in"},
    "auth.logout": {"zh": "退出", "en": "Sign out"},
    "auth.username": {"zh": "用户名", "en": "User name"},
    "auth.password": {"zh": "密码", "en": "Password"},
    "auth.login_title": {"zh": "登录乡镇干部绩效分析", "en": "Sign in to Town staff performance"},
    "auth.invalid": {"zh": "用户名或密码不正确", "en": "Wrong user name or password"},
    "auth.throttled": {
        "zh": "登录失败次数过多，请5分钟后再试",
        "en": "Too many failed sign-ins; try again in 5 minutes",
    },
    "auth.login_required": {"zh": "请先登录查看本页", "en": "Sign in to see this page"},
    "auth.forbidden": {"zh": "您的账号无权查看本页", "en": "Your account may not see this page"},
    "auth.public_note": {
        "zh": "无需登录即可查看公开信息与考核办法",
        "en": "Public figures and the methodology need no sign-in",
    },
    # periods
    "period_type.month": {"zh": "月度", "en": "Monthly"},
    "period_type.quarter": {"zh": "季度", "en": "Quarterly"},
    "period_type.year": {"zh": "年度", "en": "Annual"},
    "period.month": {"zh": "{year}年{month}月", "en": "{month_name} {year}"},
    "period.quarter": {"zh": "{year}年第{quarter}季度", "en": "Q{quarter} {year}"},
    "period.year": {"zh": "{year}年", "en": "{year}"},
    "period.partial": {"zh": "（数据未覆盖整个期间）", "en": "(partial period)"},
    # town service metrics (marts.public_service_summary)
    "metric.approvals_completed": {"zh": "审批办结件数", "en": "Approvals completed"},
    "metric.approvals_on_time_rate": {"zh": "审批按时办结率", "en": "Approvals on time"},
    "metric.approvals_avg_working_days": {"zh": "审批平均用时", "en": "Average approval time"},
    "metric.tickets_closed": {"zh": "工单办结件数", "en": "Tickets closed"},
    "metric.tickets_satisfaction_rate": {"zh": "工单满意率", "en": "Ticket satisfaction"},
    "metric.cases_closed": {"zh": "执法结案数", "en": "Enforcement cases closed"},
    # units
    "unit.cases": {"zh": "件", "en": "cases"},
    "unit.percent": {"zh": "%", "en": "%"},
    "unit.working_days": {"zh": "个工作日", "en": "working days"},
    "unit.points": {"zh": "分", "en": "points"},
    "unit.percentage_points": {"zh": "个百分点", "en": "pp"},
    "unit.people": {"zh": "人", "en": "people"},
    # indicator units as the catalog writes them (marts.dim_indicators.unit)
    "unit.件": {"zh": "件", "en": "cases"},
    "unit.件当量": {"zh": "件当量", "en": "case eq."},
    "unit.倍": {"zh": "倍", "en": "×"},
    "unit.分": {"zh": "分", "en": "points"},
    "unit.%": {"zh": "%", "en": "%"},
    # job categories (dim_staff.role_category)
    "category.审批": {"zh": "审批", "en": "Approval"},
    "category.服务": {"zh": "服务", "en": "Service"},
    "category.执法": {"zh": "执法", "en": "Enforcement"},
    "category.综合管理": {"zh": "综合管理", "en": "Management"},
    "category.领导": {"zh": "领导", "en": "Leadership"},
    # shared pieces
    "filter.month": {"zh": "统计月份", "en": "Month"},
    "filter.period_type": {"zh": "考核周期", "en": "Assessment period"},
    "tab.chart": {"zh": "图表", "en": "Chart"},
    "tab.table": {"zh": "数据表", "en": "Table"},
    "tab.summary": {"zh": "概览", "en": "Summary"},
    "grid.no_rows": {"zh": "暂无数据", "en": "No rows to show"},
    "empty.period": {"zh": "该期间暂无数据", "en": "No data for this period"},
    "empty.warehouse.title": {"zh": "尚无数据", "en": "No data yet"},
    "empty.warehouse.body": {
        "zh": "数据仓库尚未生成。请将导出文件放入收件箱并运行 townperf refresh。",
        "en": "The warehouse has not been built yet. Put exports in the inbox and run "
        "townperf refresh.",
    },
    "asof.label": {"zh": "数据截至", "en": "Data as of"},
    "asof.value": {"zh": "{time}（最近一次导入）", "en": "{time} (latest load)"},
    "asof.none": {"zh": "尚未导入数据", "en": "nothing loaded yet"},
    "change.vs_previous_month": {"zh": "较上月", "en": "vs previous month"},
    "change.no_previous": {"zh": "无上月数据", "en": "no previous month"},
    "change.flat": {"zh": "持平", "en": "unchanged"},
    "change.better": {"zh": "向好", "en": "better"},
    "change.worse": {"zh": "下降", "en": "worse"},
    "kpi.trend": {"zh": "近12个月走势", "en": "Last 12 months"},
    "kpi.not_reported": {"zh": "未公布", "en": "not reported"},
    # overview page
    "overview.subtitle": {
        "zh": "全镇政务服务、科室考核对比与各岗位类别指标概况",
        "en": "Town services, offices compared and indicators by job category",
    },
    "overview.section.kpis": {"zh": "全镇政务服务", "en": "Town services"},
    "overview.section.offices": {"zh": "科室对比", "en": "Offices compared"},
    "overview.section.indicators": {"zh": "岗位类别指标中位数", "en": "Indicator medians"},
    "overview.office.title": {
        "zh": "各科室平均综合得分",
        "en": "Average composite score by office",
    },
    "overview.office.axis": {"zh": "平均综合得分（分）", "en": "Average composite score (points)"},
    "overview.office.town_mean": {"zh": "全镇平均", "en": "Town average"},
    "overview.office.hover": {
        "zh": "参评 %{customdata[0]} 人，计分 %{customdata[1]} 人",
        "en": "%{customdata[0]} assessed, %{customdata[1]} scored",
    },
    "overview.service.title": {"zh": "各科室办件量", "en": "Cases handled by office"},
    "overview.service.axis": {"zh": "件数（件）", "en": "Number of cases"},
    "overview.service.note": {
        "zh": "按月汇总；比率按办件量加权；少于5人的科室不公开",
        "en": "Summed over the months; rates weighted by cases; offices under 5 people withheld",
    },
    "overview.indicators.note": {
        "zh": "中位数仅统计数据量充足的人员；数据表另列得分中位数（岗位类别内百分位，0–100）",
        "en": "Medians over people with sufficient data; the table adds the median score "
        "(percentile within the job category, 0–100)",
    },
    "overview.indicators.people": {"zh": "{n}人参与计算", "en": "{n} people"},
    "col.department": {"zh": "科室", "en": "Office"},
    "col.staff": {"zh": "参评人数", "en": "Assessed"},
    "col.scored": {"zh": "计分人数", "en": "Scored"},
    "col.avg_composite": {"zh": "平均综合得分", "en": "Average composite"},
    "col.median_composite": {"zh": "综合得分中位数", "en": "Median composite"},
    "col.min_composite": {"zh": "最低分", "en": "Lowest"},
    "col.max_composite": {"zh": "最高分", "en": "Highest"},
    "col.category": {"zh": "岗位类别", "en": "Job category"},
    "col.indicator": {"zh": "指标", "en": "Indicator"},
    "col.median_value": {"zh": "中位数", "en": "Median"},
    "col.median_score": {"zh": "得分中位数", "en": "Median score"},
    "col.people": {"zh": "人数", "en": "People"},
    "col.unit": {"zh": "单位", "en": "Unit"},
    "col.month": {"zh": "月份", "en": "Month"},
}

MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def normalize(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def current_lang() -> str:
    """The language of the request being served (Chinese outside a request)."""
    if not flask.has_request_context():
        return DEFAULT_LANG
    return normalize(flask.request.cookies.get(COOKIE))


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The label `key` in `lang` (default: the request's language), formatted with `values`.

    An unknown key is returned as is, so a missing label shows up on screen instead of failing.
    """
    entry = LABELS.get(key)
    if entry is None:
        return key
    text = entry[normalize(lang) if lang else current_lang()]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in LABELS


def category_name(category: str, lang: str | None = None) -> str:
    key = f"category.{category}"
    return t(key, lang) if has(key) else category


def unit_name(unit: str | None, lang: str | None = None) -> str:
    if not unit:
        return ""
    key = f"unit.{unit}"
    return t(key, lang) if has(key) else unit


def pick(row: Mapping[str, Any], field: str, lang: str | None = None) -> str:
    """`row[f"{field}_{lang}"]` (e.g. an indicator's name_en), falling back to Chinese."""
    lang = normalize(lang) if lang else current_lang()
    value = row.get(f"{field}_{lang}")
    return value if isinstance(value, str) and value else str(row.get(f"{field}_zh", ""))


def register_language_route(server: flask.Flask, prefix: str = "/") -> None:
    """`GET {prefix}lang/<code>` sets the language cookie and goes back to the page it came from."""

    @server.route(f"{prefix}lang/<code>")
    def set_language(code: str) -> flask.Response:
        response = flask.redirect(_back_to(prefix))
        response.set_cookie(
            COOKIE, normalize(code), max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
        )
        return response


def _back_to(prefix: str) -> str:
    """The referring page's path on this site (never another host), or the home page."""
    referrer = flask.request.referrer
    if not referrer:
        return prefix
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != flask.request.host:
        return prefix
    path = parts.path or prefix
    return f"{path}?{parts.query}" if parts.query else path
