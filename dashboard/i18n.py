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
    "overview.section.results": {"zh": "考核结果与运用", "en": "Grades and their use"},
    "overview.results.actions": {"zh": "运用决定", "en": "Decisions"},
    "overview.results.applied": {"zh": "已落实", "en": "Applied"},
    "overview.results.overdue": {"zh": "逾期", "en": "Overdue"},
    "overview.results.not_notified": {"zh": "未书面通知", "en": "Not notified in writing"},
    "overview.results.undecided": {"zh": "待定等次", "en": "Grade not decided"},
    "overview.results.open_requests": {"zh": "未办结复核/申诉", "en": "Open reviews/appeals"},
    "overview.results.note": {
        "zh": "优秀名额 = 本单位参加年度考核的公务员人数 × 优秀比例（见考核办法）；"
        "建议仅供考核委员会参考。",
        "en": "优秀 quota = assessed civil servants of the unit × the quota share "
        "(see Methodology); recommendations inform the committee, which decides.",
    },
    "col.assessed": {"zh": "参加考核人数", "en": "Assessed"},
    "col.excellent_quota": {"zh": "优秀名额", "en": "优秀 quota"},
    "col.recommended_excellent": {"zh": "建议优秀", "en": "Recommended 优秀"},
    "col.final_excellent": {"zh": "最终优秀", "en": "Final 优秀"},
    "col.final_competent": {"zh": "称职", "en": "称职"},
    "col.final_basic": {"zh": "基本称职", "en": "基本称职"},
    "col.final_incompetent": {"zh": "不称职", "en": "不称职"},
    "col.final_pending": {"zh": "待定", "en": "Pending"},
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
    "admin.role_name": {"zh": "角色名称", "en": "Role name"},
    "role.staff": {"zh": "普通干部", "en": "Staff"},
    "role.office_head": {"zh": "科室负责人", "en": "Office head"},
    "role.hr": {"zh": "组织人事", "en": "HR"},
    "role.leader": {"zh": "领导", "en": "Leader"},
    "role.admin": {"zh": "系统管理员", "en": "Administrator"},
    "admin.lead": {
        "zh": "数据刷新、账号，以及审计日志：谁在何时查看或导出了谁的数据",
        "en": "Data refresh, accounts, and the audit log: who viewed or exported whose data, "
        "and when",
    },
    "admin.refresh.title": {"zh": "数据刷新", "en": "Data refresh"},
    "admin.refresh.note": {
        "zh": "立即运行一次刷新：导入收件箱中的文件 → 校验 → 生成新的数据仓库 → 替换，"
        "与定时任务和 townperf refresh 完全相同；未成功时继续使用原数据仓库。",
        "en": "Run one refresh now: load the inbox → validate → build a new warehouse → swap it "
        "in, exactly as the schedule and townperf refresh do; unless it succeeds, the previous "
        "warehouse keeps serving.",
    },
    "admin.refresh.button": {"zh": "立即刷新", "en": "Refresh now"},
    "admin.refresh.started": {
        "zh": "刷新已启动（进程 {pid}），输出写入 {log}",
        "en": "Refresh started (process {pid}); its output goes to {log}",
    },
    "admin.refresh.busy": {
        "zh": "已有刷新在运行，未再启动新的刷新。{detail}",
        "en": "A refresh is already running; no other was started. {detail}",
    },
    "admin.refresh.failed": {
        "zh": "刷新未能启动：{error}",
        "en": "The refresh did not start: {error}",
    },
    "admin.refresh.state": {"zh": "当前", "en": "Now"},
    "admin.refresh.state.running": {"zh": "正在刷新（{holder}）", "en": "Refreshing ({holder})"},
    "admin.refresh.state.starting": {"zh": "刷新正在启动", "en": "A refresh is starting"},
    "admin.refresh.state.idle": {"zh": "没有刷新在运行", "en": "No refresh running"},
    "admin.refresh.inbox": {
        "zh": "收件箱中待导入的文件：{n} 个",
        "en": "Files waiting in the inbox: {n}",
    },
    "admin.refresh.last": {"zh": "最近一次刷新", "en": "Latest refresh"},
    "admin.refresh.none": {"zh": "尚无刷新记录", "en": "No refresh yet"},
    "admin.refresh.run": {"zh": "批次 {run_id}：{status}", "en": "Run {run_id}: {status}"},
    "admin.refresh.times": {
        "zh": "开始 {started}，结束 {finished}，用时 {seconds} 秒",
        "en": "started {started}, finished {finished}, {seconds} s",
    },
    "admin.refresh.files": {
        "zh": "文件：导入 {loaded} 个，已导入过 {skipped} 个，拒收 {refused} 个",
        "en": "Files: {loaded} loaded, {skipped} already loaded, {refused} refused",
    },
    "admin.refresh.rows": {
        "zh": "记录：导入 {loaded} 行，隔离 {quarantined} 行",
        "en": "Rows: {loaded} loaded, {quarantined} quarantined",
    },
    "admin.refresh.build": {"zh": "构建：{status}", "en": "Build: {status}"},
    "admin.refresh.error": {"zh": "错误：{error}", "en": "Error: {error}"},
    "admin.refresh.problems": {
        "zh": "校验未通过，收件箱文件保留原处：",
        "en": "Stopped by validation; the inbox files stay where they are:",
    },
    "admin.refresh.history": {"zh": "全部刷新记录与校验结果见", "en": "Every refresh and check:"},
    "admin.users.add": {"zh": "新建账号", "en": "New account"},
    "admin.users.password": {"zh": "密码", "en": "Password"},
    "admin.users.password2": {"zh": "再次输入密码", "en": "Password again"},
    "admin.users.add_button": {"zh": "创建账号", "en": "Create account"},
    "admin.users.hint": {
        "zh": "普通干部账号须填工号（只能查看本人）；科室负责人账号须填科室（只能查看本科室）；"
        "密码至少 {min} 位。",
        "en": "A staff account needs a staff id (it sees only that person); an office head "
        "account needs an office (it sees only that office); passwords have at least {min} "
        "characters.",
    },
    "admin.users.manage": {"zh": "管理已有账号", "en": "Existing accounts"},
    "admin.users.pick": {"zh": "选择账号", "en": "Choose an account"},
    "admin.users.new_password": {"zh": "新密码", "en": "New password"},
    "admin.users.reset_button": {"zh": "重置密码", "en": "Reset password"},
    "admin.users.remove_button": {"zh": "删除账号", "en": "Remove account"},
    "admin.users.remove_confirm": {
        "zh": "确定删除所选账号？删除后该账号立即无法使用。",
        "en": "Remove the chosen account? It stops working at once.",
    },
    "admin.users.added": {
        "zh": "已创建账号 {name}（{role}）",
        "en": "Account {name} created ({role})",
    },
    "admin.users.reset": {"zh": "已重置 {name} 的密码", "en": "Password of {name} reset"},
    "admin.users.removed": {"zh": "已删除账号 {name}", "en": "Account {name} removed"},
    "admin.error.name": {
        "zh": "请填写用户名（首尾不能有空格）",
        "en": "Enter a user name (no space at either end)",
    },
    "admin.error.name_format": {
        "zh": "用户名最多 {max} 个字符，且不能含控制字符",
        "en": "A user name has at most {max} characters and no control characters",
    },
    "admin.error.role": {"zh": "请选择角色", "en": "Choose a role"},
    "admin.error.staff_id": {
        "zh": "普通干部账号须填写工号：该账号只能查看本人的数据",
        "en": "A staff account needs a staff id: it sees only that person's figures",
    },
    "admin.error.office": {
        "zh": "科室负责人账号须填写科室：该账号只能查看本科室",
        "en": "An office head account needs an office: it sees only that office",
    },
    "admin.error.password": {
        "zh": "密码至少 {min} 位",
        "en": "A password needs at least {min} characters",
    },
    "admin.error.mismatch": {"zh": "两次输入的密码不一致", "en": "The two passwords differ"},
    "admin.error.exists": {
        "zh": "账号 {name} 已存在：可在下方重置其密码，或先删除再新建",
        "en": "Account {name} exists already: reset its password below, or remove it first",
    },
    "admin.error.unknown_user": {"zh": "账号 {name} 不存在", "en": "There is no account {name}"},
    "admin.error.last_admin": {
        "zh": "{name} 是最后一个系统管理员账号，不能删除",
        "en": "{name} is the last admin account and cannot be removed",
    },
    "admin.error.self": {
        "zh": "不能删除当前登录的账号",
        "en": "You cannot remove the account you are signed in with",
    },
    "admin.error.pick": {"zh": "请先选择账号", "en": "Choose an account first"},
    "admin.error.invalid": {"zh": "未保存：{message}", "en": "Not saved: {message}"},
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
    "overview.export": {"zh": "导出本页表格（Excel）", "en": "Export the tables (Excel)"},
    "overview.sheet.kpis": {"zh": "全镇指标逐月", "en": "Town services by month"},
    "overview.sheet.offices": {"zh": "科室综合得分", "en": "Office scores"},
    "overview.sheet.service": {"zh": "科室办件量", "en": "Office services"},
    "overview.sheet.indicators": {"zh": "指标中位数", "en": "Indicator medians"},
    "overview.sheet.grades": {"zh": "等次与名额", "en": "Grades and quota"},
    "overview.sheet.status": {"zh": "结果运用情况", "en": "Result use"},
    "overview.col.item": {"zh": "项目", "en": "Item"},
    "overview.col.count": {"zh": "数量", "en": "Count"},
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
    # results / public / methodology / data pages
    "page.results": {"zh": "结果运用", "en": "Result utilization"},
    "page.data": {"zh": "数据管理", "en": "Data status"},
    "unit.decisions": {"zh": "项", "en": "decisions"},
    "action.绩效奖金": {"zh": "绩效奖金", "en": "Performance bonus"},
    "action.嘉奖": {"zh": "嘉奖", "en": "Commendation"},
    "action.记三等功": {"zh": "记三等功", "en": "Third-class merit"},
    "action.晋升职级": {"zh": "晋升职级", "en": "Promotion"},
    "action.调整档次": {"zh": "调整档次", "en": "Pay step"},
    "action.培训": {"zh": "培训", "en": "Training"},
    "action.诫勉谈话": {"zh": "诫勉谈话", "en": "Admonition talk"},
    "action.调整岗位": {"zh": "调整岗位", "en": "Post changed"},
    "action.晋升级别": {"zh": "晋升级别", "en": "Salary grade up"},
    "action.辞退": {"zh": "辞退", "en": "Dismissal"},
    "feedback_kind.绩效面谈": {"zh": "绩效面谈", "en": "Feedback talk"},
    "feedback_kind.复核申请": {"zh": "复核申请", "en": "Review request"},
    "feedback_kind.申诉": {"zh": "申诉", "en": "Appeal"},
    "source.staff": {"zh": "人员名册", "en": "Staff roster"},
    "source.approvals": {"zh": "审批办件", "en": "Approval cases"},
    "source.tickets": {"zh": "服务工单", "en": "Service tickets"},
    "source.cases": {"zh": "执法案件", "en": "Enforcement cases"},
    "source.tasks": {"zh": "重点工作", "en": "Key tasks"},
    "source.ratings": {"zh": "考核评价", "en": "Ratings"},
    "source.actions": {"zh": "结果运用", "en": "Result decisions"},
    "source.feedback": {"zh": "面谈与申诉", "en": "Feedback and appeals"},
    "status.success": {"zh": "成功", "en": "success"},
    "status.validation_failed": {"zh": "校验未通过", "en": "validation failed"},
    "status.failed": {"zh": "失败", "en": "failed"},
    "status.interrupted": {"zh": "中断", "en": "interrupted"},
    "status.running": {"zh": "进行中", "en": "running"},
    "status.loaded": {"zh": "已导入", "en": "loaded"},
    "status.refused": {"zh": "拒收", "en": "refused"},
    "status.skipped": {"zh": "已导入过", "en": "already loaded"},
    "status.not run": {"zh": "未运行", "en": "not run"},
    "status.skipped (nothing new)": {"zh": "无新数据，未重建", "en": "skipped (nothing new)"},
    "setting_unit.days": {"zh": "天", "en": "days"},
    "setting_unit.working days": {"zh": "个工作日", "en": "working days"},
    "setting_unit.hours": {"zh": "小时", "en": "hours"},
    "setting_unit.records": {"zh": "条", "en": "records"},
    "setting_unit.people": {"zh": "人", "en": "people"},
    "results.subtitle": {
        "zh": "考核结果怎样运用：建议与决定、应有措施、落实用时、超期事项、"
        "奖金与绩效、面谈、书面通知与复核申诉",
        "en": "How results were applied: recommendations and decisions, consequences due, time "
        "to apply, overdue items, pay and performance, talks, written notice, reviews and appeals",
    },
    "results.export": {"zh": "导出本期结果运用（Excel）", "en": "Export this period (Excel)"},
    "results.kpi.assessed": {"zh": "已定等次", "en": "Graded"},
    "results.kpi.pending": {"zh": "另有 {n} 人待决定", "en": "{n} more awaiting a decision"},
    "results.kpi.applied": {"zh": "运用措施已落实", "en": "Actions applied"},
    "results.kpi.applied_detail": {"zh": "{applied} / {total} 项", "en": "{applied} of {total}"},
    "results.kpi.median_days": {"zh": "落实用时中位数", "en": "Median days to apply"},
    "results.kpi.days_after": {"zh": "天（自考核期结束）", "en": "days after the period"},
    "results.kpi.overdue": {"zh": "超期事项", "en": "Overdue"},
    "results.kpi.overdue_detail": {"zh": "涉及 {people} 人", "en": "{people} people"},
    "results.kpi.not_notified": {"zh": "未书面通知", "en": "Not notified in writing"},
    "results.kpi.talks": {"zh": "绩效面谈覆盖率", "en": "Feedback talk coverage"},
    "results.kpi.talks_detail": {
        "zh": "{covered} / {total} 人已面谈",
        "en": "{covered} of {total} people",
    },
    "results.kpi.missing": {"zh": "应运用未运用", "en": "Due, not applied"},
    "results.kpi.missing_detail": {
        "zh": "项（按等次应有的措施）",
        "en": "consequences of the grade",
    },
    "results.kpi.annual_only": {"zh": "仅年度考核核对", "en": "checked for annual grades"},
    "results.kpi.open_reviews": {"zh": "未办结复核申诉", "en": "Open reviews and appeals"},
    "results.kpi.open_reviews_detail": {
        "zh": "其中 {late} 件已超法定期限",
        "en": "{late} past the legal deadline",
    },
    "results.section.decisions": {"zh": "等次建议与最终决定", "en": "Recommended and final grades"},
    "results.section.consequences": {
        "zh": "按等次应有的运用措施",
        "en": "Consequences each grade should have had",
    },
    "results.section.timeliness": {
        "zh": "落实时效与超期事项",
        "en": "Time to apply and overdue items",
    },
    "results.section.pay": {"zh": "奖金是否与绩效挂钩", "en": "Does pay follow performance?"},
    "results.section.rights": {
        "zh": "绩效面谈与书面通知",
        "en": "Feedback talks and written notice",
    },
    "results.section.reviews": {
        "zh": "复核与申诉（法定期限）",
        "en": "Reviews and appeals against their legal clocks",
    },
    "results.grade.none": {"zh": "无建议", "en": "No recommendation"},
    "results.grade.pending": {"zh": "待决定", "en": "Not decided"},
    "results.crosstab.title": {
        "zh": "建议等次 × 最终等次（人数）",
        "en": "Recommended × final grade (people)",
    },
    "results.crosstab.recommended": {"zh": "建议等次", "en": "Recommended"},
    "results.crosstab.final": {"zh": "最终等次", "en": "Final grade"},
    "results.crosstab.hover": {"zh": "建议 %{y} → 决定 %{x}：", "en": "%{y} → %{x}:"},
    "results.crosstab.note": {
        "zh": "对角线上为决定与建议一致；建议仅针对公务员、参公人员的年度考核，由考核委员会决定",
        "en": "On the diagonal the decision followed the recommendation; recommendations cover "
        "the annual assessment of civil servants only, and the committee decides",
    },
    "results.crosstab.note_q": {
        "zh": "平时（季度）考核不作等次建议，此处为最终等次分布",
        "en": "Quarterly grades have no recommendation: this is the distribution of final grades",
    },
    "results.actions.title": {"zh": "已决定的运用措施", "en": "Actions decided"},
    "results.actions.note": {
        "zh": "落实用时自考核期结束日起算",
        "en": "Days to apply are counted from the end of the period",
    },
    "results.action.none": {"zh": "无运用措施", "en": "no action"},
    "results.col.decisions": {"zh": "决定数", "en": "Decisions"},
    "results.col.applied": {"zh": "已落实", "en": "Applied"},
    "results.col.median_days": {"zh": "用时中位数（天）", "en": "Median days"},
    "results.col.max_days": {"zh": "最长用时（天）", "en": "Longest (days)"},
    "results.col.amount": {"zh": "金额合计（元）", "en": "Total amount (yuan)"},
    "results.col.expected_action": {"zh": "应有措施", "en": "Consequence due"},
    "results.col.condition": {"zh": "条件", "en": "Rule"},
    "results.col.source": {"zh": "依据", "en": "Source"},
    "results.col.days": {"zh": "天数", "en": "Days"},
    "results.col.bonus": {"zh": "绩效奖金（元）", "en": "Bonus (yuan)"},
    "results.col.requested_on": {"zh": "提出日期", "en": "Filed"},
    "results.col.legal_days": {"zh": "法定期限（天）", "en": "Legal limit (days)"},
    "results.col.talk_on": {"zh": "面谈日期", "en": "Talk held"},
    "results.consequences.title": {
        "zh": "应有措施：已运用 / 未运用（人数）",
        "en": "Consequences due: applied / not applied (people)",
    },
    "results.consequences.applied": {"zh": "已运用", "en": "Applied"},
    "results.consequences.missing": {"zh": "未运用", "en": "Not applied"},
    "results.consequences.axis": {"zh": "人数", "en": "People"},
    "results.consequences.gaps": {
        "zh": "应运用未运用（{n} 项）",
        "en": "Due and not applied ({n})",
    },
    "results.consequences.none_missing": {
        "zh": "本年度按等次应有的措施均已决定",
        "en": "Every consequence due this year was decided",
    },
    "results.consequences.note": {
        "zh": "依据考核办法中的等次运用规则（如优秀当年嘉奖、连续三年优秀记三等功、"
        "累计两年称职以上晋升档次）",
        "en": "From the grade rules of the methodology (e.g. a commendation for 优秀, a merit "
        "for a third 优秀 in a row, a pay step every second year 称职 or better)",
    },
    "results.consequences.annual_only": {
        "zh": "按等次应有的措施针对年度考核结果核对，请选择年度查看。",
        "en": "Consequences due are checked for annual grades: choose a year to see them.",
    },
    "results.lag.title": {
        "zh": "考核期结束至落实的天数",
        "en": "Days from the end of the period to application",
    },
    "results.lag.axis_x": {"zh": "天数", "en": "Days"},
    "results.lag.axis_y": {"zh": "措施数", "en": "Decisions"},
    "results.lag.days": {"zh": "天", "en": "days"},
    "results.lag.threshold": {"zh": "超期线 {days} 天", "en": "overdue after {days} days"},
    "results.lag.note": {
        "zh": "已落实的措施；超过 {days} 天（考核办法参数 apply_overdue_days）为超期，红色显示",
        "en": "Actions applied; later than {days} days (setting apply_overdue_days) is overdue, "
        "in red",
    },
    "results.overdue.title": {
        "zh": "超期事项（{n} 项，超过 {days} 天）",
        "en": "Overdue ({n}, more than {days} days)",
    },
    "results.overdue.note": {
        "zh": "包括超期落实、超期仍未落实和超期仍未决定等次的；决定中无须运用措施的不计",
        "en": "Applied late, still not applied, or still not decided after the limit; a decision "
        "with nothing to apply is not counted",
    },
    "results.status.applied_late": {"zh": "超期落实", "en": "applied late"},
    "results.status.not_applied": {"zh": "尚未落实", "en": "not applied yet"},
    "results.status.undecided": {"zh": "尚未决定等次", "en": "no decision yet"},
    "results.pay.title": {
        "zh": "绩效奖金与综合得分（r = {r}，n = {n}）",
        "en": "Performance bonus against composite score (r = {r}, n = {n})",
    },
    "results.pay.axis_x": {"zh": "综合得分（分）", "en": "Composite score (points)"},
    "results.pay.axis_y": {"zh": "绩效奖金（元）", "en": "Bonus (yuan)"},
    "results.pay.fit": {"zh": "线性拟合", "en": "Linear fit"},
    "results.pay.r": {"zh": "皮尔逊相关系数 r", "en": "Pearson correlation r"},
    "results.pay.n": {"zh": "{n} 人领取绩效奖金", "en": "{n} people paid a bonus"},
    "results.pay.note": {
        "zh": "每点为一名领取本期绩效奖金的人员；综合得分为同期得分",
        "en": "One point per person paid a bonus for the period; composite of the same period",
    },
    "results.pay.reading.strong": {
        "zh": "奖金与综合得分强相关：奖金较好地体现了绩效差异。",
        "en": "Strong relation: bonuses reflect differences in performance well.",
    },
    "results.pay.reading.moderate": {
        "zh": "奖金与综合得分中等相关：绩效对奖金有一定影响。",
        "en": "Moderate relation: performance shows in bonuses to some extent.",
    },
    "results.pay.reading.weak": {
        "zh": "奖金与综合得分弱相关：奖金基本未随绩效拉开差距。",
        "en": "Weak relation: bonuses hardly follow performance.",
    },
    "results.pay.reading.none": {
        "zh": "本期领取奖金的人数不足，无法计算相关系数。",
        "en": "Too few bonuses this period to compute a correlation.",
    },
    "results.talks.title": {"zh": "绩效面谈覆盖", "en": "Feedback talks"},
    "results.talks.missing": {"zh": "未面谈 {n} 人", "en": "{n} people without a talk"},
    "results.not_notified.title": {
        "zh": "未书面通知考核结果（{n} 人）",
        "en": "Results not notified in writing ({n} people)",
    },
    "results.not_notified.note": {
        "zh": "考核结果应以书面形式通知本人（《公务员法》第三十八条）",
        "en": "The result must be notified to the person in writing (Civil Servant Law art. 38)",
    },
    "results.review.open": {"zh": "办理中，剩余 {n} 天", "en": "open, {n} days left"},
    "results.review.open_late": {"zh": "已超期 {n} 天", "en": "open, {n} days past the deadline"},
    "results.review.decided": {
        "zh": "按期办结（{days} 天）",
        "en": "decided in time ({days} days)",
    },
    "results.review.decided_late": {
        "zh": "超期办结（{days} 天）",
        "en": "decided late ({days} days)",
    },
    "results.reviews.note": {
        "zh": "复核申请应在30日内、申诉应在60日内作出决定（《公务员法》第九十五、九十六条）；"
        "未办结的无论所属期间均列出",
        "en": "A review is decided within 30 days, an appeal within 60 (Civil Servant Law arts. "
        "95–96); open ones are listed whatever their period",
    },
    "results.sheet.crosstab": {"zh": "建议与决定", "en": "Recommended vs final"},
    "results.sheet.actions": {"zh": "运用措施", "en": "Actions"},
    "results.sheet.gaps": {"zh": "应运用未运用", "en": "Due not applied"},
    "results.sheet.overdue": {"zh": "超期事项", "en": "Overdue"},
    "results.sheet.not_notified": {"zh": "未书面通知", "en": "Not notified"},
    "results.sheet.pay": {"zh": "奖金与得分", "en": "Bonus and score"},
    "results.sheet.talks": {"zh": "绩效面谈", "en": "Feedback talks"},
    "results.sheet.reviews": {"zh": "复核申诉", "en": "Reviews and appeals"},
    "results.sheet.detail": {"zh": "明细", "en": "All decisions"},
    "results.kpi.barred": {"zh": "不应运用而运用", "en": "Applied though barred"},
    "results.kpi.barred_detail": {
        "zh": "项（如基本称职发放奖金）",
        "en": "e.g. a bonus for 基本称职",
    },
    "results.kpi.review_window": {"zh": "复核申请期内", "en": "Review window open"},
    "results.kpi.review_window_detail": {
        "zh": "人；{late} 件复核申请逾期提出",
        "en": "people; {late} review requests filed late",
    },
    "results.consequences.ok": {"zh": "符合规定", "en": "As required"},
    "results.consequences.wrong": {"zh": "不符合", "en": "Not as required"},
    "results.consequences.title_checked": {
        "zh": "按等次核对运用措施：符合 / 不符合（人数）",
        "en": "Consequences of the grade: as required / not (people)",
    },
    "results.consequences.barred_label": {
        "zh": "不应给予{action}（{grade}）",
        "en": "No {action} ({grade})",
    },
    "results.consequences.wrong_title": {
        "zh": "与等次规定不符（{n} 项）",
        "en": "Not as the grade requires ({n})",
    },
    "results.consequences.none_wrong": {
        "zh": "本年度运用措施均符合等次规定",
        "en": "Every consequence this year is as the grade requires",
    },
    "results.consequences.note_checked": {
        "zh": "依据考核办法中的等次运用规则：优秀当年嘉奖，连续三年优秀记三等功，"
        "累计两年、五年称职以上分别晋升一个档次、一个级别，连续两年不称职辞退；"
        "基本称职、不称职不享受年度考核奖金",
        "en": "From the grade rules of the methodology: a commendation for 优秀, a merit for every "
        "third 优秀 in a row, a pay step every second and a salary grade every fifth year 称职 or "
        "better, dismissal after a second 不称职 in a row; no annual bonus for 基本称职 or 不称职",
    },
    "results.problem.missing": {"zh": "应运用未运用", "en": "due, not applied"},
    "results.problem.barred": {"zh": "不应运用而运用", "en": "applied though barred"},
    "results.col.problem": {"zh": "问题", "en": "Problem"},
    "results.col.action_checked": {"zh": "措施", "en": "Consequence"},
    "results.col.consequence": {"zh": "措施（等次）", "en": "Consequence (grade)"},
    "results.col.ok": {"zh": "符合（人）", "en": "As required (people)"},
    "results.col.wrong": {"zh": "不符合（人）", "en": "Not as required (people)"},
    "results.col.days_band": {"zh": "天数区间", "en": "Days"},
    "results.col.band_late": {"zh": "是否超期", "en": "Overdue"},
    "results.col.request_due_on": {"zh": "申请复核期限", "en": "Review asked by"},
    "results.col.request_status": {"zh": "申请时限", "en": "Request clock"},
    "results.col.days_left": {"zh": "剩余天数", "en": "Days left"},
    "results.col.has_requested": {"zh": "已申请复核", "en": "Review asked"},
    "results.request.in_time": {"zh": "按期提出", "en": "filed in time"},
    "results.request.late": {"zh": "逾期 {n} 天提出", "en": "filed {n} days late"},
    "results.request.no_notice": {"zh": "未书面通知，不起算", "en": "no written notice: no clock"},
    "results.windows.title": {
        "zh": "复核申请期未满（{n} 人）",
        "en": "May still ask for a review ({n} people)",
    },
    "results.windows.none": {
        "zh": "目前没有处于复核申请期内的人员",
        "en": "Nobody is within a review window now",
    },
    "results.windows.note": {
        "zh": "年度考核结果书面通知之日起 {days} 日内可申请复核（《公务员法》第九十五条；"
        "考核办法参数 review_request_days）；不论所选期间均列出",
        "en": "A review may be asked for within {days} days of the written notice of the annual "
        "result (Civil Servant Law art. 95; setting review_request_days); listed whatever the "
        "period shown",
    },
    "results.reviews.late_requests": {
        "zh": "逾期提出的复核申请：{n} 件",
        "en": "Review requests filed late: {n}",
    },
    "results.sheet.wrong": {"zh": "与等次规定不符", "en": "Not as grade requires"},
    "results.sheet.consequences": {"zh": "按等次核对", "en": "Consequences checked"},
    "results.sheet.lag": {"zh": "落实用时分布", "en": "Days to apply"},
    "results.sheet.windows": {"zh": "复核申请期", "en": "Review windows"},
    "public.subtitle": {
        "zh": "全镇政务服务情况，按月公布；无需登录，不含任何个人信息",
        "en": "The town's public services month by month; no sign-in, no personal data",
    },
    "public.download": {"zh": "下载逐月数据（CSV）", "en": "Download monthly figures (CSV)"},
    "public.csv_name": {"zh": "全镇政务服务逐月数据.csv", "en": "town_services_by_month.csv"},
    "public.section.kpis": {"zh": "本月政务服务", "en": "Services this month"},
    "public.section.trends": {"zh": "逐月走势", "en": "Month by month"},
    "public.section.offices": {"zh": "各科室", "en": "By office"},
    "public.trend.volumes": {"zh": "办件量（件）", "en": "Cases handled"},
    "public.trend.rates": {"zh": "按时办结率与满意率", "en": "On time and satisfaction"},
    "public.trend.days": {
        "zh": "审批平均用时（工作日）",
        "en": "Average approval time (working days)",
    },
    "public.col.office": {"zh": "科室", "en": "Office"},
    "public.offices.note": {
        "zh": "仅列出参与人数不少于5人的科室数据；空白表示该项本月不公开或无此业务",
        "en": "Only figures with 5 or more people behind them are shown; a blank is withheld or "
        "not applicable",
    },
    "public.privacy": {
        "zh": "本页仅公布汇总数据：不含姓名、工号；参与人数少于5人的分组不公开。",
        "en": "Aggregates only: no names, no staff ids; no group of fewer than 5 people is shown.",
    },
    "public.method_link": {"zh": "指标口径与计算方法见", "en": "How the figures are computed:"},
    "methodology.subtitle": {
        "zh": "考核什么、怎样计算、权重多少、依据是什么 —— 由系统实际使用的参数表自动生成",
        "en": "What is measured, how, with which weights and on what basis — generated from the "
        "very tables the scoring uses",
    },
    "methodology.download": {
        "zh": "下载考核办法参数（Excel）",
        "en": "Download the method (Excel)",
    },
    "methodology.xlsx_name": {"zh": "考核办法参数.xlsx", "en": "methodology.xlsx"},
    "methodology.from_seeds": {
        "zh": "以下内容读取自当前数据仓库中的参数表（dbt seeds），与计算所用完全一致。",
        "en": "Read from the parameter tables (dbt seeds) of the warehouse being served: exactly "
        "what the scores were computed with.",
    },
    "methodology.from_files": {
        "zh": "数据仓库尚未生成，以下内容读取自参数文件（dbt seeds）。",
        "en": "No warehouse has been built yet: read from the parameter files (dbt seeds).",
    },
    "methodology.section.steps": {"zh": "计算方法", "en": "Scoring method"},
    "methodology.section.indicators": {"zh": "考核指标", "en": "Indicators"},
    "methodology.section.weights": {"zh": "各岗位类别的权重", "en": "Weights by job category"},
    "methodology.section.workload": {"zh": "工作量折算", "en": "Workload equivalents"},
    "methodology.section.settings": {"zh": "法定期限与参数", "en": "Deadlines and settings"},
    "methodology.section.grades": {"zh": "等次与结果运用", "en": "Grades and their consequences"},
    "methodology.step1.title": {"zh": "计算指标值", "en": "Values"},
    "methodology.step1.body": {
        "zh": "按“人员 × 期间（月、季、年）”计算每项指标的数值及样本量 n。办件按办结月份计入"
        "（审批按办结时间，工单、案件按结案时间），重点工作按到期月份计入，无论是否完成。",
        "en": "Each indicator's value and its sample size n per person and period (month, "
        "quarter, year). A record counts for the month it was completed (approvals: completed; "
        "tickets and cases: closed); a key task for the month it falls due, done or not.",
    },
    "methodology.step2.title": {"zh": "按在岗天数折算", "en": "Pro-rating"},
    "methodology.step2.body": {
        "zh": "工作量类指标（{volumes}）按本人在岗天数折算为整期数值，"
        "新入职、离职或调岗人员不吃亏。调岗人员在每个期间计入其在岗天数最多的岗位类别；"
        "调岗日以名册的“任现岗位时间”为准，名册未提供时以首次显示新岗位的名册日期为准。",
        "en": "Volume indicators ({volumes}) are pro-rated to the full period by the days the "
        "person was on the roster, so joining, leaving or moving costs nobody. Someone who moved "
        "is scored, in each period, in the job category where they spent the most days; the "
        "move counts from the roster's “post since” date, or, when the roster has none, from "
        "the first roster that shows the new post.",
    },
    "methodology.step3.title": {"zh": "小样本收缩", "en": "Small-sample shrinkage"},
    "methodology.step3.body": {
        "zh": "比率类指标向本岗位类别均值 p₀ 收缩：(成功数 + m·p₀) ÷ (n + m)，"
        "m = {m}（{m_source}）。"
        "原始值与收缩后的值都保留；样本量低于该指标最低 n 的，该指标不计分。",
        "en": "Rates are shrunk toward the category mean p₀: (successes + m·p₀) ÷ (n + m), "
        "m = {m} ({m_source}). Raw and shrunk values are both kept; below an indicator's "
        "minimum n it is not scored.",
    },
    "methodology.step4.title": {"zh": "百分位计分", "en": "Scoring 0–100"},
    "methodology.step4.body": {
        "zh": "每项指标在同一岗位类别、同一期间内按百分位计 0–100 分；"
        "“越低越好”的指标（{lower}）反向计分。",
        "en": "Each indicator is scored 0–100 by percentile within the job category and period; "
        "indicators where lower is better ({lower}) are scored the other way round.",
    },
    "methodology.step5.title": {"zh": "加权合成", "en": "Composite"},
    "methodology.step5.body": {
        "zh": "综合得分 =（1 − 定性占比）× 定量指标得分的加权平均 + 定性占比 × 评价得分的加权平均。"
        "某项指标缺失（包括未获评价）时，其权重按比例分配给其他有得分的指标，并标记提示。"
        "评价按季度和年度给出，月度综合得分只含定量部分，不因缺少评价而标记。定性占比：{shares}。",
        "en": "Composite = (1 − qualitative share) × weighted mean of the quantitative scores + "
        "qualitative share × weighted mean of the rating scores. A missing indicator's weight "
        "(a rating never given included) is re-spread over those with a score, and the row is "
        "flagged. Ratings are given per quarter and year, so a month's composite is the "
        "quantitative part alone and is not flagged for lacking them. Qualitative shares: "
        "{shares}.",
    },
    "methodology.step6.title": {"zh": "类别内排名", "en": "Ranking"},
    "methodology.step6.body": {
        "zh": "在岗位类别内按综合得分排名。"
        "定量指标覆盖率（有得分的定量指标权重之和 ÷ 全部定量指标权重）"
        "低于最低要求（{coverages}）的人员显示为“数据不足”，不参与排名。",
        "en": "People are ranked by composite within their job category. Anyone whose "
        "quantitative coverage (weight of the quantitative indicators with a score ÷ all "
        "quantitative weight) is below the minimum ({coverages}) is shown as “insufficient "
        "data” and never ranked.",
    },
    "methodology.step7.title": {"zh": "年度等次建议", "en": "Annual grade recommendation"},
    "methodology.step7.body": {
        "zh": "对公务员、参公人员：按综合得分从高到低，"
        "优秀候选人数不超过本单位参加年度考核公务员人数的"
        " {quota}（{quota_source}）；{eligibility}；"
        "名额线上得分相同者按工号先后取；"
        "综合得分处于类别最低 {low} 的人员标记为需复核。"
        "系统只提出建议，由考核委员会决定；优秀候选人公示不少于 {publicity} 个工作日。",
        "en": "For civil servants: by composite, best first, 优秀 candidates up to {quota} of the "
        "unit's assessed civil servants ({quota_source}); {eligibility}; a tie on the quota "
        "line is broken by staff id; the lowest {low} of "
        "the category are flagged for review. The system recommends and the committee decides; "
        "优秀 candidates are publicly shown for at least {publicity} working days.",
    },
    "methodology.step7.rule": {
        "zh": "平时考核为“{quarterly}”的不得评为年度“{annual}”",
        "en": "a quarterly “{quarterly}” rules out an annual “{annual}”",
    },
    "methodology.step7.no_rules": {
        "zh": "平时考核结果不限制年度等次",
        "en": "quarterly grades do not restrict the annual grade",
    },
    "methodology.col.indicator": {"zh": "指标", "en": "Indicator"},
    "methodology.col.categories": {"zh": "适用岗位类别", "en": "Job categories"},
    "methodology.col.kind": {"zh": "类型", "en": "Kind"},
    "methodology.col.direction": {"zh": "方向", "en": "Direction"},
    "methodology.col.unit": {"zh": "单位", "en": "Unit"},
    "methodology.col.formula": {"zh": "计算方法", "en": "How it is computed"},
    "methodology.col.owner": {"zh": "责任主体", "en": "Owner"},
    "methodology.col.min_n": {"zh": "最低 n", "en": "Minimum n"},
    "methodology.col.source": {"zh": "数据来源", "en": "Data from"},
    "methodology.col.category": {"zh": "岗位类别", "en": "Job category"},
    "methodology.col.code": {"zh": "指标代码", "en": "Code"},
    "methodology.col.weight": {"zh": "权重", "en": "Weight"},
    "methodology.col.effective": {"zh": "实际权重（%）", "en": "Effective weight (%)"},
    "methodology.col.matter_code": {"zh": "事项编码", "en": "Matter code"},
    "methodology.col.matter": {"zh": "审批事项", "en": "Matter"},
    "methodology.col.procedure": {"zh": "执法程序", "en": "Procedure"},
    "methodology.col.equivalent": {"zh": "工作当量", "en": "Workload equivalent"},
    "methodology.col.basis": {"zh": "依据", "en": "Basis"},
    "methodology.col.setting": {"zh": "参数", "en": "Setting"},
    "methodology.col.meaning": {"zh": "含义", "en": "Meaning"},
    "methodology.col.value": {"zh": "取值", "en": "Value"},
    "methodology.col.grade": {"zh": "年度等次", "en": "Annual grade"},
    "methodology.col.action": {"zh": "应有措施", "en": "Consequence"},
    "methodology.col.condition": {"zh": "条件", "en": "Rule"},
    "methodology.col.expectation": {"zh": "要求", "en": "Must"},
    "methodology.expectation.due": {"zh": "应当给予", "en": "be applied"},
    "methodology.expectation.barred": {"zh": "不得给予", "en": "not be applied"},
    "methodology.col.quarterly_grade": {"zh": "平时考核等次", "en": "Quarterly grade"},
    "methodology.col.excludes": {"zh": "不得评为", "en": "Rules out"},
    "methodology.kind.volume": {"zh": "工作量", "en": "Volume"},
    "methodology.kind.rate": {"zh": "比率", "en": "Rate"},
    "methodology.kind.ratio": {"zh": "比值", "en": "Ratio"},
    "methodology.kind.derived": {"zh": "派生", "en": "Derived"},
    "methodology.kind.rating": {"zh": "定性评价", "en": "Rating"},
    "methodology.direction.higher": {"zh": "越高越好", "en": "higher is better"},
    "methodology.direction.lower": {"zh": "越低越好", "en": "lower is better"},
    "methodology.source.approvals": {"zh": "审批办件", "en": "Approval cases"},
    "methodology.source.tickets": {"zh": "服务工单", "en": "Service tickets"},
    "methodology.source.cases": {"zh": "执法案件", "en": "Enforcement cases"},
    "methodology.source.tasks": {"zh": "重点工作", "en": "Key tasks"},
    "methodology.source.ratings": {"zh": "考核评价", "en": "Ratings"},
    "methodology.source.scores": {"zh": "分管科室得分", "en": "Scores of the offices led"},
    "methodology.indicators.note": {
        "zh": "最低 n：样本量低于此数时该指标本期不计分；工作量类指标不设最低 n",
        "en": "Minimum n: below it the indicator is not scored for the period; volumes have none",
    },
    "methodology.weights.figure": {
        "zh": "各指标在综合得分中的实际占比",
        "en": "Share of the composite each indicator carries",
    },
    "methodology.weights.quant": {"zh": "定量", "en": "quant."},
    "methodology.weights.rating": {"zh": "定性", "en": "rating"},
    "methodology.weights.share": {"zh": "定性占比", "en": "Qualitative share"},
    "methodology.weights.coverage": {"zh": "最低定量覆盖率", "en": "Minimum coverage"},
    "methodology.weights.note": {
        "zh": "每格：权重 / 实际权重。实际权重 = 定量权重 × (1 − 定性占比) ÷ 定量权重合计，"
        "或 评价权重 × 定性占比 ÷ 评价权重合计（所有指标均有得分时）",
        "en": "Each cell: weight / effective weight. Effective = quantitative weight × (1 − "
        "qualitative share) ÷ quantitative total, or rating weight × qualitative share ÷ rating "
        "total (when every indicator has a score)",
    },
    "methodology.workload.matters": {"zh": "审批事项工作当量", "en": "Approval matters"},
    "methodology.workload.procedures": {"zh": "执法程序工作当量", "en": "Enforcement procedures"},
    "methodology.workload.co_officer": {
        "zh": "协办人按案件工作当量的 {share} 计入",
        "en": "A co-officer is credited {share} of a case's workload",
    },
    "methodology.deadlines": {"zh": "期限", "en": "Deadlines"},
    "methodology.grades.consequences": {"zh": "等次的运用", "en": "What each grade leads to"},
    "methodology.grades.consequences_note": {
        "zh": "结果运用页面据此核对应运用而未运用的措施",
        "en": "The result-utilization page checks decisions against these rules",
    },
    "methodology.grades.eligibility": {
        "zh": "平时考核与年度等次",
        "en": "Quarterly grades and the annual grade",
    },
    "methodology.grades.eligibility_note": {
        "zh": "在计算优秀名额之前适用",
        "en": "Applied before the 优秀 quota",
    },
    "methodology.sheet.weights": {"zh": "权重", "en": "Weights"},
    "whatif.title": {
        "zh": "权重模拟（仅领导、人事可见）",
        "en": "What-if weights (leaders and HR only)",
    },
    "whatif.lead": {
        "zh": "调整某一岗位类别的指标权重和定性占比，查看年度综合得分和排名会怎样变化。"
        "仅在页面上计算，不改变任何考核结果。",
        "en": "Change one job category's weights and qualitative share and see how the annual "
        "composites and ranking would change. Computed on this page only; nothing is saved.",
    },
    "whatif.year": {"zh": "考核年度", "en": "Year"},
    "whatif.reset": {"zh": "恢复现行权重", "en": "Reset to current weights"},
    "whatif.quant_weights": {"zh": "定量指标权重", "en": "Quantitative weights"},
    "whatif.rating_weights": {"zh": "定性评价权重", "en": "Rating weights"},
    "whatif.share": {"zh": "定性占比", "en": "Qualitative share"},
    "whatif.moved": {"zh": "名次变化人数", "en": "People moving"},
    "whatif.moved_detail": {"zh": "共 {n} 人参与排名", "en": "of {n} ranked"},
    "whatif.up": {"zh": "最大上升", "en": "Largest rise"},
    "whatif.down": {"zh": "最大下降", "en": "Largest fall"},
    "whatif.unranked": {"zh": "数据不足", "en": "Insufficient data"},
    "whatif.unranked_detail": {"zh": "人不参与排名", "en": "people not ranked"},
    "whatif.col.rank_whatif": {"zh": "模拟名次", "en": "What-if rank"},
    "whatif.col.rank_now": {"zh": "现行名次", "en": "Current rank"},
    "whatif.col.movement": {"zh": "变化", "en": "Movement"},
    "whatif.col.composite_now": {"zh": "现行综合得分", "en": "Current composite"},
    "whatif.col.composite_whatif": {"zh": "模拟综合得分", "en": "What-if composite"},
    "whatif.col.change": {"zh": "得分变化", "en": "Change"},
    "whatif.figure": {"zh": "现行名次 → 模拟名次", "en": "Current rank → what-if rank"},
    "whatif.axis_x": {"zh": "现行名次", "en": "Current rank"},
    "whatif.axis_y": {"zh": "模拟名次", "en": "What-if rank"},
    "whatif.note": {
        "zh": "各指标得分取自数据仓库（百分位得分不随权重变化）；缺失指标的权重按现行规则重新分配；"
        "名次变化与现行权重下的计算相比。领导类的“分管科室量化得分”按现行结果计。",
        "en": "Indicator scores come from the warehouse (percentile scores do not depend on "
        "weights); missing indicators' weights are re-spread as the model does; movement is "
        "against the same computation with the current weights. Leaders' “offices led” "
        "indicator keeps its current value.",
    },
    "data.subtitle": {
        "zh": "数据更新记录、各来源文件、校验结果、隔离数据与数据新鲜度",
        "en": "Refresh history, source files, validation results, quarantined rows and freshness",
    },
    "data.export": {"zh": "导出隔离数据（Excel）", "en": "Export quarantined rows (Excel)"},
    "data.kpi.last_refresh": {"zh": "最近一次更新", "en": "Last refresh"},
    "data.kpi.never": {"zh": "尚未更新", "en": "never run"},
    "data.kpi.files": {"zh": "已导入文件", "en": "Files loaded"},
    "data.kpi.files_detail": {"zh": "拒收 {refused} 个", "en": "{refused} refused"},
    "data.kpi.rows": {"zh": "已导入记录", "en": "Rows loaded"},
    "data.kpi.rows_detail": {"zh": "共读取 {read} 行", "en": "of {read} read"},
    "data.kpi.quarantined": {"zh": "隔离记录", "en": "Rows quarantined"},
    "data.kpi.quarantined_detail": {"zh": "占读取行数 {share}", "en": "{share} of rows read"},
    "data.kpi.unattributed": {"zh": "无法归属的记录", "en": "Unattributed records"},
    "data.kpi.unattributed_detail": {
        "zh": "{ids} 个工号不在名册中",
        "en": "{ids} handler ids on no roster",
    },
    "data.section.history": {"zh": "数据更新记录", "en": "Refresh history"},
    "data.section.freshness": {"zh": "各来源数据新鲜度", "en": "Freshness by source"},
    "data.section.files": {"zh": "导入文件", "en": "Files loaded"},
    "data.section.validation": {"zh": "校验结果", "en": "Validation results"},
    "data.section.quarantine": {"zh": "隔离数据", "en": "Quarantined rows"},
    "data.section.unattributed": {
        "zh": "无法归属的记录（承办人不在名册中）",
        "en": "Unattributed records (handler on no roster)",
    },
    "data.history.note": {
        "zh": "每次更新：导入收件箱文件 → 校验 → 构建数据仓库 → 切换；失败时继续使用上一版数据仓库",
        "en": "Each refresh: load the inbox → validate → build the warehouse → swap it in; on "
        "failure the previous warehouse keeps serving",
    },
    "data.freshness.figure": {"zh": "各来源导入与隔离行数", "en": "Rows loaded and quarantined"},
    "data.freshness.axis": {"zh": "行数（对数刻度）", "en": "Rows (log scale)"},
    "data.freshness.note": {
        "zh": "最新记录日期：该来源已导入记录中最晚的业务日期（办结、结案、决定等）",
        "en": "Latest record: the newest business date among the source's records (completed, "
        "closed, decided…)",
    },
    "data.filter.source": {"zh": "数据来源", "en": "Source"},
    "data.filter.file": {"zh": "文件", "en": "File"},
    "data.filter.all_sources": {"zh": "全部来源", "en": "All sources"},
    "data.filter.all_files": {"zh": "全部文件", "en": "All files"},
    "data.validation.count": {
        "zh": "{failed} / {total} 项未通过",
        "en": "{failed} of {total} failed",
    },
    "data.validation.note": {
        "zh": "未通过的校验项对应的行已隔离，其余行正常导入",
        "en": "Rows failing a check are quarantined; the others are loaded",
    },
    "data.quarantine.count": {"zh": "共 {total} 行", "en": "{total} rows"},
    "data.quarantine.capped": {
        "zh": "共 {total} 行，显示前 {shown} 行；导出可得全部",
        "en": "{total} rows; the first {shown} shown, the export has them all",
    },
    "data.quarantine.reasons": {"zh": "隔离原因", "en": "Reasons"},
    "data.quarantine.rows": {"zh": "隔离的行（原始内容）", "en": "Rows as they were in the file"},
    "data.quarantine.note": {
        "zh": "行号为文件中的行号；修正源系统数据后重新导出即可再次导入",
        "en": "Line numbers are those of the file; correct the source system and export again",
    },
    "data.unattributed.note": {
        "zh": "这些记录已导入但不计入任何人员；请核对名册或源系统中的承办人工号",
        "en": "These records are loaded but credited to nobody; check the roster or the handler "
        "ids in the source system",
    },
    "data.check.passed": {"zh": "通过", "en": "passed"},
    "data.check.failed": {"zh": "未通过", "en": "failed"},
    "data.col.started": {"zh": "开始时间", "en": "Started"},
    "data.col.status": {"zh": "状态", "en": "Status"},
    "data.col.files_loaded": {"zh": "导入文件", "en": "Files loaded"},
    "data.col.files_skipped": {"zh": "已导入过", "en": "Already loaded"},
    "data.col.files_refused": {"zh": "拒收文件", "en": "Refused"},
    "data.col.rows_read": {"zh": "读取行数", "en": "Rows read"},
    "data.col.rows_loaded": {"zh": "导入行数", "en": "Rows loaded"},
    "data.col.rows_quarantined": {"zh": "隔离行数", "en": "Rows quarantined"},
    "data.col.expectations_failed": {"zh": "未通过校验", "en": "Checks failed"},
    "data.col.dbt": {"zh": "构建（节点数）", "en": "Build (nodes)"},
    "data.col.seconds": {"zh": "用时（秒）", "en": "Seconds"},
    "data.col.detail": {"zh": "说明", "en": "Detail"},
    "data.col.docs": {"zh": "校验报告", "en": "Data Docs"},
    "data.docs.open": {"zh": "查看", "en": "Open"},
    "data.docs.latest": {
        "zh": "查看最近一次校验报告（Data Docs）",
        "en": "Open the latest Data Docs",
    },
    "data.docs.note": {
        "zh": "每次导入或更新的逐条校验结果，保留最近 {kept} 次",
        "en": "every check of each ingest or refresh, for the last {kept} runs",
    },
    "data.docs.none": {
        "zh": "尚无校验报告：下一次更新后生成",
        "en": "No Data Docs yet: the next refresh writes them",
    },
    "data.col.source": {"zh": "来源", "en": "Source"},
    "data.col.files": {"zh": "文件数", "en": "Files"},
    "data.col.last_loaded": {"zh": "最近导入", "en": "Last loaded"},
    "data.col.latest_record": {"zh": "最新记录日期", "en": "Latest record"},
    "data.col.days_since": {"zh": "距今（天）", "en": "Days ago"},
    "data.col.file": {"zh": "文件", "en": "File"},
    "data.col.encoding": {"zh": "编码", "en": "Encoding"},
    "data.col.loaded_at": {"zh": "导入时间", "en": "Loaded"},
    "data.col.message": {"zh": "信息", "en": "Message"},
    "data.col.result": {"zh": "结果", "en": "Result"},
    "data.col.expectation": {"zh": "校验项", "en": "Check"},
    "data.col.unexpected": {"zh": "不符合行数", "en": "Rows failing"},
    "data.col.reason": {"zh": "原因", "en": "Reason"},
    "data.col.rows": {"zh": "行数", "en": "Rows"},
    "data.col.line": {"zh": "行号", "en": "Line"},
    "data.col.values": {"zh": "原始内容", "en": "Original values"},
    "data.col.record_type": {"zh": "记录类型", "en": "Record type"},
    "data.col.handler_id": {"zh": "承办人工号", "en": "Handler id"},
    "data.col.records": {"zh": "记录数", "en": "Records"},
    "data.col.first_month": {"zh": "最早月份", "en": "First month"},
    "data.col.last_month": {"zh": "最晚月份", "en": "Last month"},
    "data.sheet.quarantine": {"zh": "隔离数据", "en": "Quarantined rows"},
    "data.sheet.validation": {"zh": "校验结果", "en": "Validation"},
    "data.sheet.loads": {"zh": "导入文件", "en": "Files"},
    "data.sheet.history": {"zh": "数据更新记录", "en": "Refresh history"},
    "data.sheet.freshness": {"zh": "数据新鲜度", "en": "Freshness"},
    # end of results / public / methodology / data pages
    # rankings / people / me pages
    "page.rankings": {"zh": "排名", "en": "Rankings"},
    "page.people": {"zh": "人事考核明细", "en": "HR drill-down"},
    "page.me": {"zh": "我的考核", "en": "My assessment"},
    "person.filter.period": {"zh": "考核期间", "en": "Period"},
    "person.filter.category": {"zh": "岗位类别", "en": "Job category"},
    "person.filter.office": {"zh": "科室", "en": "Office"},
    "person.filter.all_offices": {"zh": "全部科室", "en": "All offices"},
    "person.filter.person": {"zh": "人员", "en": "Person"},
    "person.filter.person_placeholder": {
        "zh": "输入姓名或工号搜索",
        "en": "Search by name or staff id",
    },
    "person.filter.person_search": {
        "zh": "输入姓名、工号或科室查找",
        "en": "Type a name, id or office",
    },
    "person.filter.indicator": {"zh": "指标", "en": "Indicator"},
    "person.export.rankings": {"zh": "导出排名（Excel）", "en": "Export rankings (Excel)"},
    "person.export.person": {"zh": "导出个人考核报告（Excel）", "en": "Export report (Excel)"},
    "person.export.records": {"zh": "导出本指标全部记录", "en": "Export all these records"},
    "person.export.me": {"zh": "导出我的考核（Excel）", "en": "Export my assessment (Excel)"},
    "person.move.new": {"zh": "新", "en": "new"},
    "person.move.new_long": {"zh": "上期未参与排名", "en": "not ranked last period"},
    "person.move.up": {"zh": "较上期上升 {n} 名", "en": "up {n} on the previous period"},
    "person.move.down": {"zh": "较上期下降 {n} 名", "en": "down {n} on the previous period"},
    "person.move.same": {"zh": "与上期名次相同", "en": "same rank as the previous period"},
    "person.vs_previous": {"zh": "较上期", "en": "vs previous period"},
    "person.no_previous": {"zh": "无上期数据", "en": "no previous period"},
    "person.yes": {"zh": "是", "en": "yes"},
    "person.no": {"zh": "否", "en": "no"},
    "person.part.quantitative": {"zh": "定量", "en": "Quantitative"},
    "person.part.qualitative": {"zh": "定性", "en": "Qualitative"},
    "person.axis.composite": {"zh": "综合得分（分）", "en": "Composite score (points)"},
    "person.insufficient": {
        "zh": "本期数据不足（定量指标覆盖率 {coverage}），不参与排名",
        "en": "Insufficient data this period (quantitative coverage {coverage}): not ranked",
    },
    "person.grade.优秀": {"zh": "优秀", "en": "Excellent"},
    "person.grade.称职": {"zh": "称职", "en": "Competent"},
    "person.grade.基本称职": {"zh": "基本称职", "en": "Basically competent"},
    "person.grade.不称职": {"zh": "不称职", "en": "Incompetent"},
    "person.grade.复核": {"zh": "复核", "en": "Review"},
    "person.grade.好": {"zh": "好", "en": "Good"},
    "person.grade.较好": {"zh": "较好", "en": "Fairly good"},
    "person.grade.一般": {"zh": "一般", "en": "Average"},
    "person.grade.较差": {"zh": "较差", "en": "Poor"},
    "person.record.approvals": {"zh": "审批办件", "en": "Approval case"},
    "person.record.tickets": {"zh": "工单", "en": "Ticket"},
    "person.record.cases": {"zh": "执法案件", "en": "Enforcement case"},
    "person.record.tasks": {"zh": "重点工作", "en": "Key task"},
    "person.status.open": {"zh": "办理中", "en": "open"},
    "person.status.late": {"zh": "已超法定期限", "en": "past the legal deadline"},
    "person.status.closed": {"zh": "已办结", "en": "closed"},
    "person.status.overdue": {"zh": "落实超期", "en": "applied late"},
    "person.status.not_notified": {"zh": "未书面通知", "en": "not notified in writing"},
    "person.status.on_time": {"zh": "按期", "en": "on time"},
    "person.kpi.composite": {"zh": "综合得分", "en": "Composite score"},
    "person.kpi.quantitative": {"zh": "定量部分", "en": "Quantitative part"},
    "person.kpi.qualitative": {"zh": "定性部分", "en": "Qualitative part"},
    "person.kpi.coverage": {"zh": "定量指标覆盖率 {coverage}", "en": "coverage {coverage}"},
    "person.kpi.rank": {"zh": "类别内名次", "en": "Rank in category"},
    "person.kpi.office_rank": {"zh": "科室内名次", "en": "Rank in office"},
    "person.kpi.grade": {"zh": "等次建议", "en": "Grade recommended"},
    "person.kpi.not_ranked": {"zh": "不参与排名", "en": "not ranked"},
    "person.kpi.percentile": {"zh": "类别内位置", "en": "Position in category"},
    "person.kpi.percentile_value": {"zh": "高于 {p}% 的同类人员", "en": "above {p}% of peers"},
    "person.kpi.category_n": {
        "zh": "本类别共 {n} 人参与排名",
        "en": "{n} people ranked in the category",
    },
    "person.profile.name": {"zh": "姓名", "en": "Name"},
    "person.profile.staff_id": {"zh": "工号", "en": "Staff id"},
    "person.profile.department": {"zh": "科室", "en": "Office"},
    "person.profile.position": {"zh": "岗位", "en": "Post"},
    "person.profile.category": {"zh": "岗位类别", "en": "Job category"},
    "person.profile.staff_type": {"zh": "人员类别", "en": "Staff type"},
    "person.profile.rank": {"zh": "职级", "en": "Grade"},
    "person.profile.hired_on": {"zh": "入职日期", "en": "Joined"},
    "person.profile.left_on": {"zh": "离职日期", "en": "Left"},
    "person.col.rank": {"zh": "名次", "en": "Rank"},
    "person.col.movement": {"zh": "名次变化", "en": "Movement"},
    "person.col.name": {"zh": "姓名", "en": "Name"},
    "person.col.staff_id": {"zh": "工号", "en": "Staff id"},
    "person.col.department": {"zh": "科室", "en": "Office"},
    "person.col.composite": {"zh": "综合得分", "en": "Composite"},
    "person.col.quantitative": {"zh": "定量部分", "en": "Quantitative"},
    "person.col.qualitative": {"zh": "定性部分", "en": "Qualitative"},
    "person.col.office_rank": {"zh": "科室内名次", "en": "Rank in office"},
    "person.col.flags": {"zh": "提示", "en": "Flags"},
    "person.col.grade": {"zh": "等次建议", "en": "Grade recommended"},
    "person.col.coverage": {"zh": "定量指标覆盖率", "en": "Quantitative coverage"},
    "person.col.scored": {"zh": "有得分指标数", "en": "Indicators scored"},
    "person.col.missing": {"zh": "缺失指标数", "en": "Indicators missing"},
    "person.col.reason": {"zh": "原因", "en": "Reason"},
    "person.col.band": {"zh": "得分区间", "en": "Score band"},
    "person.col.people": {"zh": "人数", "en": "People"},
    "person.col.indicator": {"zh": "指标", "en": "Indicator"},
    "person.col.code": {"zh": "指标代码", "en": "Indicator code"},
    "person.col.part": {"zh": "类型", "en": "Part"},
    "person.col.score": {"zh": "得分", "en": "Score"},
    "person.col.value": {"zh": "原始值", "en": "Raw value"},
    "person.col.value_adjusted": {"zh": "调整后值", "en": "Adjusted value"},
    "person.col.n": {"zh": "样本量 n", "en": "n"},
    "person.col.median_value": {"zh": "类别中位数", "en": "Category median"},
    "person.col.median_score": {"zh": "类别得分中位数", "en": "Category median score"},
    "person.col.category_median": {"zh": "类别中位数", "en": "Category median"},
    "person.col.weight": {"zh": "权重", "en": "Weight"},
    "person.col.effective_weight": {"zh": "实际权重", "en": "Weight applied"},
    "person.col.contribution": {"zh": "得分 × 实际权重", "en": "Score × weight applied"},
    "person.col.sufficient": {"zh": "数据充足", "en": "Sufficient data"},
    "person.col.insufficient": {"zh": "数据不足", "en": "Insufficient data"},
    "person.col.period": {"zh": "期间", "en": "Period"},
    "person.col.rank_in_category": {"zh": "类别内名次", "en": "Rank in category"},
    "person.col.percentile": {"zh": "类别内百分位", "en": "Percentile in category"},
    "person.col.rater": {"zh": "评价主体", "en": "Rater"},
    "person.col.rater_count": {"zh": "评价人数", "en": "Raters"},
    "person.col.kind": {"zh": "类型", "en": "Kind"},
    "person.col.held_on": {"zh": "日期", "en": "Date"},
    "person.col.resolved_on": {"zh": "办结日期", "en": "Resolved"},
    "person.col.outcome": {"zh": "结果", "en": "Outcome"},
    "person.col.due_on": {"zh": "法定期限", "en": "Legal deadline"},
    "person.col.days_open": {"zh": "历时（天）", "en": "Days open"},
    "person.col.status": {"zh": "状态", "en": "Status"},
    "person.col.recommended_grade": {"zh": "建议等次", "en": "Recommended grade"},
    "person.col.final_grade": {"zh": "最终等次", "en": "Final grade"},
    "person.col.action": {"zh": "运用方式", "en": "Action"},
    "person.col.amount": {"zh": "金额（元）", "en": "Amount (yuan)"},
    "person.col.notified_on": {"zh": "书面通知日期", "en": "Notified"},
    "person.col.decided_on": {"zh": "决定日期", "en": "Decided"},
    "person.col.applied_on": {"zh": "落实日期", "en": "Applied"},
    "person.col.days_to_apply": {"zh": "落实用时（天）", "en": "Days to apply"},
    "person.col.record_type": {"zh": "记录类型", "en": "Record type"},
    "person.col.record_no": {"zh": "编号", "en": "Number"},
    "person.col.detail": {"zh": "事项", "en": "Detail"},
    "person.col.started_at": {"zh": "受理/开始", "en": "Started"},
    "person.col.finished_at": {"zh": "办结/完成", "en": "Finished"},
    "person.col.promised": {"zh": "时限", "en": "Time limit"},
    "person.col.working_days": {"zh": "用时（工作日）", "en": "Working days used"},
    "person.col.on_time": {"zh": "按时", "en": "On time"},
    "person.col.credit": {"zh": "计入工作量", "en": "Credit"},
    "person.col.source": {"zh": "来源文件:行", "en": "Source file:row"},
    "rankings.subtitle": {
        "zh": "按岗位类别与考核期间排名：名次变化、科室内名次与数据不足人员",
        "en": "Ranked within job category and period: movement, rank within office, "
        "and people with insufficient data",
    },
    "rankings.section.table": {"zh": "排名", "en": "Ranking"},
    "rankings.section.insufficient": {
        "zh": "数据不足，不参与排名",
        "en": "Insufficient data — not ranked",
    },
    "rankings.section.distribution": {"zh": "综合得分分布", "en": "Distribution of composites"},
    "rankings.stat.ranked": {"zh": "参与排名", "en": "Ranked"},
    "rankings.stat.insufficient": {"zh": "数据不足", "en": "Insufficient data"},
    "rankings.stat.median": {"zh": "综合得分中位数", "en": "Median composite"},
    "rankings.stat.top": {"zh": "最高综合得分", "en": "Highest composite"},
    "rankings.flag.missing": {"zh": "缺{n}项指标", "en": "{n} missing"},
    "rankings.flag.review": {"zh": "低分复核", "en": "low score: review"},
    "rankings.table.note": {
        "zh": "名次为岗位类别内名次；名次变化与上一期间相比"
        "（▲ 上升，▼ 下降，“新”表示上期未参与排名）；"
        "缺少的指标其权重按比例分配给其他指标。点击姓名查看个人考核明细。",
        "en": "Ranks are within the job category; movement is against the previous period "
        "(▲ up, ▼ down, “new”: not ranked then); a missing indicator's weight is re-spread "
        "over the others. Click a name for the person's details.",
    },
    "rankings.insufficient.note": {
        "zh": "定量指标覆盖率（有得分的定量指标权重占比）"
        "低于本类别最低要求 {min} 的人员不参与排名。",
        "en": "People whose quantitative coverage (the weight of quantitative indicators with a "
        "score) is below the category's minimum of {min} are not ranked.",
    },
    "rankings.insufficient.reason": {
        "zh": "覆盖率 {coverage}，低于 {min}",
        "en": "coverage {coverage}, below {min}",
    },
    "rankings.insufficient.none": {
        "zh": "本期没有数据不足的人员",
        "en": "Nobody has insufficient data in this period",
    },
    "rankings.office_scope": {"zh": "仅可查看本科室", "en": "Your own office only"},
    "rankings.histogram.title": {"zh": "{category}类综合得分分布", "en": "Composites, {category}"},
    "rankings.histogram.axis_x": {"zh": "综合得分（分）", "en": "Composite score (points)"},
    "rankings.histogram.axis_y": {"zh": "人数", "en": "People"},
    "rankings.histogram.note": {
        "zh": "仅统计参与排名的人员；每档10分",
        "en": "Ranked people only; bands of 10 points",
    },
    "rankings.sheet.ranked": {"zh": "排名", "en": "Ranking"},
    "rankings.sheet.insufficient": {"zh": "数据不足", "en": "Insufficient data"},
    "rankings.sheet.distribution": {"zh": "得分分布", "en": "Distribution"},
    "people.subtitle": {
        "zh": "一名工作人员的指标、走势、排名、明细记录、评价、面谈申诉与结果运用",
        "en": "One person's indicators, trend, rank, the records behind them, ratings, "
        "feedback talks, appeals and results applied",
    },
    "people.prompt": {
        "zh": "请在上方选择一名工作人员（可输入姓名或工号）查看其考核明细",
        "en": "Choose a person above (type a name or staff id) to see their assessment",
    },
    "people.out_of_scope": {
        "zh": "未找到该人员，或该人员不在您的查看范围内",
        "en": "No such person, or this person is outside what you may see",
    },
    "people.left": {"zh": "（已离职）", "en": "(left)"},
    "people.no_scores": {
        "zh": "该人员在所选期间没有考核数据",
        "en": "No assessment for this person in the period",
    },
    "people.section.scores": {"zh": "考核得分", "en": "Scores"},
    "people.section.indicators": {"zh": "指标明细", "en": "Indicators"},
    "people.indicators.note": {
        "zh": "得分为岗位类别内百分位（0–100）；调整后值已按在岗天数折算或向类别均值收缩；"
        "类别中位数只统计数据充足的人员。点击一行查看该指标背后的记录。",
        "en": "Scores are percentiles within the job category (0–100); adjusted values are "
        "pro-rated by days on the roster or shrunk toward the category mean; category medians "
        "count people with sufficient data. Click a row to see the records behind it.",
    },
    "people.section.records": {"zh": "明细记录", "en": "Records behind the figures"},
    "people.records.count": {"zh": "共 {total} 条记录", "en": "{total} record(s)"},
    "people.records.capped": {
        "zh": "共 {total} 条记录，显示最近的 {shown} 条；导出可得全部",
        "en": "{total} records; the latest {shown} shown, the export has them all",
    },
    "people.records.derived": {
        "zh": "该指标由分管科室工作人员的各项量化指标得分计算，没有单独的记录",
        "en": "Computed from the quantitative indicator scores of the staff in the offices "
        "overseen; no records of its own",
    },
    "people.records.ratings": {
        "zh": "评价类指标的记录为本期各评价主体的评分（自评不计分）",
        "en": "A rating's records are the period's ratings by rater group (self-ratings not "
        "scored)",
    },
    "people.section.trend": {"zh": "走势与排名历史", "en": "Trend and rank history"},
    "people.trend.title": {"zh": "月度综合得分", "en": "Monthly composite score"},
    "people.trend.mine": {"zh": "本人", "en": "This person"},
    "people.trend.median": {"zh": "类别中位数", "en": "Category median"},
    "people.trend.insufficient": {"zh": "（数据不足）", "en": "(insufficient data)"},
    "people.trend.note": {
        "zh": "空心点为数据不足的月份",
        "en": "Hollow points: months with insufficient data",
    },
    "people.rank.title": {
        "zh": "类别内名次（{period_type}）",
        "en": "Rank in category ({period_type})",
    },
    "people.rank.axis": {"zh": "名次", "en": "Rank"},
    "people.rank.hover": {
        "zh": "第 %{y} 名，共 %{customdata} 人",
        "en": "rank %{y} of %{customdata}",
    },
    "people.section.ratings": {"zh": "评价", "en": "Ratings"},
    "people.ratings.cell": {"zh": "{score}（{n}人）", "en": "{score} ({n})"},
    "people.ratings.note": {
        "zh": "各评价主体的评分（0–100），括号内为评价人数；自评不计入得分",
        "en": "Scores by rater group (0–100), number of raters in brackets; self-ratings are "
        "not scored",
    },
    "person.none": {"zh": "暂无记录", "en": "Nothing recorded"},
    "person.value.上级": {"zh": "上级", "en": "Supervisor"},
    "person.value.同事": {"zh": "同事", "en": "Peers"},
    "person.value.群众": {"zh": "群众", "en": "Public"},
    "person.value.自评": {"zh": "自评", "en": "Self"},
    "person.value.绩效面谈": {"zh": "绩效面谈", "en": "Feedback talk"},
    "person.value.复核申请": {"zh": "复核申请", "en": "Review request"},
    "person.value.申诉": {"zh": "申诉", "en": "Appeal"},
    "person.value.维持": {"zh": "维持", "en": "Upheld"},
    "person.value.变更": {"zh": "变更", "en": "Changed"},
    "person.value.纠错": {"zh": "纠错", "en": "Corrected"},
    "person.value.无": {"zh": "无", "en": "None"},
    "person.value.非常满意": {"zh": "非常满意", "en": "Very satisfied"},
    "person.value.满意": {"zh": "满意", "en": "Satisfied"},
    "person.value.基本满意": {"zh": "基本满意", "en": "Fairly satisfied"},
    "person.value.不满意": {"zh": "不满意", "en": "Dissatisfied"},
    "person.value.非常不满意": {"zh": "非常不满意", "en": "Very dissatisfied"},
    "person.value.未评价": {"zh": "未评价", "en": "Not rated"},
    "person.value.重办": {"zh": "重办", "en": "Reopened"},
    "person.value.未完成": {"zh": "未完成", "en": "Not done"},
    "person.value.绩效奖金": {"zh": "绩效奖金", "en": "Performance bonus"},
    "person.value.嘉奖": {"zh": "嘉奖", "en": "Commendation"},
    "person.value.记三等功": {"zh": "记三等功", "en": "Third-class merit"},
    "person.value.晋升职级": {"zh": "晋升职级", "en": "Promotion"},
    "person.value.调整档次": {"zh": "调整档次", "en": "Pay step"},
    "person.value.培训": {"zh": "培训", "en": "Training"},
    "person.value.诫勉谈话": {"zh": "诫勉谈话", "en": "Admonition talk"},
    "person.value.调整岗位": {"zh": "调整岗位", "en": "Reassignment"},
    "person.value.晋升级别": {"zh": "晋升级别", "en": "Salary grade up"},
    "person.value.辞退": {"zh": "辞退", "en": "Dismissal"},
    "person.value.公务员": {"zh": "公务员", "en": "Civil servant"},
    "person.value.参公": {"zh": "参公", "en": "Managed as civil servant"},
    "person.value.事业": {"zh": "事业", "en": "Public institution staff"},
    "person.value.编外": {"zh": "编外", "en": "Contract staff"},
    "people.section.feedback": {
        "zh": "绩效面谈、复核与申诉",
        "en": "Feedback talks, reviews and appeals",
    },
    "people.feedback.note": {
        "zh": "复核申请应在30日内、申诉应在60日内作出决定（《公务员法》第九十五、九十六条）",
        "en": "A review is decided within 30 days, an appeal within 60 (Civil Servant Law "
        "arts. 95–96)",
    },
    "people.section.results": {"zh": "结果运用", "en": "Results applied"},
    "people.sheet.summary": {"zh": "概况", "en": "Summary"},
    "people.sheet.indicators": {"zh": "指标明细", "en": "Indicators"},
    "people.sheet.records": {"zh": "明细记录", "en": "Records"},
    "people.sheet.trend": {"zh": "月度走势", "en": "Monthly trend"},
    "people.sheet.ranks": {"zh": "排名历史", "en": "Rank history"},
    "people.sheet.ratings": {"zh": "评价", "en": "Ratings"},
    "people.sheet.feedback": {"zh": "面谈与申诉", "en": "Feedback and appeals"},
    "people.sheet.results": {"zh": "结果运用", "en": "Results applied"},
    "people.sheet.item": {"zh": "项目", "en": "Item"},
    "people.sheet.value": {"zh": "数值", "en": "Value"},
    "me.subtitle": {
        "zh": "本人的考核指标、综合得分的计算过程与走势",
        "en": "Your own indicators, how your composite is computed, and its trend",
    },
    "me.no_record": {
        "zh": "您的账号未关联工作人员工号，没有个人考核记录可显示。",
        "en": "Your account is not linked to a staff record, so there is no personal "
        "assessment to show.",
    },
    "me.no_scores": {
        "zh": "所选期间暂无您的考核数据",
        "en": "No assessment for you in this period",
    },
    "me.section.summary": {"zh": "我的得分", "en": "My scores"},
    "me.section.steps": {"zh": "综合得分是怎样算出来的", "en": "How my composite is computed"},
    "me.steps.note": {
        "zh": "每项指标的得分是您在本岗位类别、本期间内的百分位（0–100，已考虑指标方向）；"
        "权重来自考核办法的指标权重表。",
        "en": "Each indicator's score is your percentile within your job category and period "
        "(0–100, direction respected); the weights are those of the methodology.",
    },
    "me.step1.title": {
        "zh": "第一步：定量指标 — 得分 × 实际权重",
        "en": "Step 1: quantitative indicators — score × weight applied",
    },
    "me.step2.title": {
        "zh": "第二步：定性评价 — 得分 × 实际权重",
        "en": "Step 2: qualitative ratings — score × weight applied",
    },
    "me.step.respread": {
        "zh": "{missing} 本期无得分，其权重按比例分配给其他指标：实际权重 = 权重 ÷ {scored}"
        "（有得分指标的权重合计）",
        "en": "{missing} has no score this period, so its weight is re-spread over the others: "
        "weight applied = weight ÷ {scored} (the total weight of the indicators with a score)",
    },
    "me.step.all_scored": {
        "zh": "各项指标均有得分：实际权重 = 权重 ÷ {scored}",
        "en": "Every indicator has a score: weight applied = weight ÷ {scored}",
    },
    "me.step.none_scored": {
        "zh": "本期没有一项指标有得分",
        "en": "No indicator has a score this period",
    },
    "me.step3.title": {
        "zh": "第三步：按本岗位类别的定性占比 {share} 合成综合得分",
        "en": "Step 3: blend at your category's qualitative share of {share}",
    },
    "me.step3.formula": {
        "zh": "综合得分 = {rest} × 定量部分 + {share} × 定性部分",
        "en": "Composite = {rest} × quantitative part + {share} × qualitative part",
    },
    "me.step3.only_quant": {
        "zh": "本期没有定性评价得分：综合得分 = 定量部分 = {composite} 分",
        "en": "No qualitative rating this period: composite = quantitative part = {composite}",
    },
    "me.step3.only_qual": {
        "zh": "本期没有定量指标得分：综合得分 = 定性部分 = {composite} 分",
        "en": "No quantitative score this period: composite = qualitative part = {composite}",
    },
    "me.missing_score": {"zh": "无得分", "en": "no score"},
    "me.section.trend": {"zh": "我的走势", "en": "My trend"},
    "me.trend.note": {
        "zh": "空心点为数据不足的月份（当月不参与排名）",
        "en": "Hollow points: months with insufficient data (not ranked)",
    },
    "me.section.results": {"zh": "我的考核结果运用", "en": "How my results were applied"},
    "me.sheet.summary": {"zh": "概况", "en": "Summary"},
    "me.sheet.steps": {"zh": "计算过程", "en": "Computation"},
    "me.sheet.share": {"zh": "定性占比", "en": "Qualitative share"},
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
