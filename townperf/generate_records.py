"""Work records: approval cases, service tickets, enforcement cases and key tasks.

Each source is generated period by period as numeric arrays (one row per record, no Python loop
per record), then rendered to text for one export file. A record still open when its export is
taken is written as open and carried into the next period's export, where it appears again,
completed: the ingest must keep the newer version.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from townperf.generate_base import (
    DAY,
    HOUR,
    Period,
    WorkCalendar,
    apply_text_defects,
    concat_text,
    daily_sequence,
    fmt_date,
    fmt_datetime,
    fmt_int,
    pick,
    plan_defects,
)
from townperf.generate_roster import Roster
from townperf.settings import DBT_PROJECT_DIR

NEVER = np.iinfo(np.int64).max // 4  # "never completed" as a timestamp
Batch = dict[str, np.ndarray]

DEFECT_WEIGHTS = {"bad_date": 0.27, "unknown_handler": 0.27, "duplicate": 0.26}
DEFECT_WEIGHTS |= {"negative_duration": 0.2}


@dataclass
class Context:
    """What every generator needs: the roster, the calendar and the defect rate."""

    roster: Roster
    cal: WorkCalendar
    defect_rate: float

    def __post_init__(self) -> None:
        persons = self.roster.persons
        self.staff_ids = persons["staff_id"].tolist()
        self.skill = persons["skill"].to_numpy()
        self.town_codes = [t.code for t in self.roster.towns]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _take(batch: Batch, idx: np.ndarray) -> Batch:
    return {k: v[idx] for k, v in batch.items()}


def _concat(a: Batch | None, b: Batch) -> Batch:
    if a is None:
        return b
    return {k: np.concatenate([a[k], b[k]]) for k in b}


def overlapping(
    periods: list[Period], new_records: Callable[[Period], Batch]
) -> Iterator[tuple[Period, Batch]]:
    """Each export holds the period's new records plus those still open at the previous export."""
    pending: Batch | None = None
    for period in periods:
        batch = _concat(pending, new_records(period))
        yield period, batch
        final = batch["final_ts"]
        pending = _take(batch, (final >= period.export_ts) & (final < NEVER))


def _spread(
    rng: np.random.Generator,
    stints: pd.DataFrame,
    days: np.ndarray,
    daily_rate: np.ndarray,
    day_factor: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts per (spell, day) for the days each spell is active; returns the spell
    index and the day of every record."""
    start = stints["start"].to_numpy()[:, None]
    end = stints["end"].to_numpy()[:, None]
    active = (start <= days[None, :]) & (days[None, :] < end)
    lam = daily_rate[:, None] * day_factor[None, :] * active
    counts = rng.poisson(lam).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    return cell // len(days), days[cell % len(days)]


def _office_time(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight within office hours 08:30–17:30, quieter over lunch."""
    slots = np.arange(510, 1050, 30)  # half-hour slots from 08:30
    weight = np.where((slots >= 720) & (slots < 810), 0.35, 1.0)
    weight[0] = 1.3  # the queue at opening time
    chosen = rng.choice(slots, n, p=weight / weight.sum())
    return (chosen * 60 + rng.integers(0, 1800, n)).astype(np.int64)


def _ordered(batch: Batch, town_key: str, day_key: str, ts_key: str) -> Batch:
    """Sort by time and number the records per town and day, as the source systems do."""
    by_town = np.lexsort((batch[ts_key], batch[town_key]))
    seq = np.empty(len(by_town), dtype=np.int64)
    seq[by_town] = daily_sequence(batch[town_key][by_town] * 1_000_000 + batch[day_key][by_town])
    batch["seq"] = seq
    return _take(batch, np.lexsort((batch[town_key], batch[ts_key])))


def _record_no(ctx: Context, batch: Batch, code: str, pad: int) -> pa.Array:
    compact = pc.replace_substring(fmt_date(batch["day"], None, "iso"), "-", "")  # 20250304
    return concat_text(
        pick(ctx.town_codes, batch["town"]), code, compact, fmt_int(batch["seq"], pad=pad)
    )


# --------------------------------------------------------------------------------------------
# Approvals


def load_matters() -> pd.DataFrame:
    with open(DBT_PROJECT_DIR / "seeds" / "matter_weights.csv", encoding="utf-8") as fh:
        matters = pd.DataFrame(list(csv.DictReader(fh)))
    weight = matters["workload_weight"].astype(float).to_numpy()
    matters["promised"] = np.clip(np.round(weight**1.2 * 6), 1, 20).astype(int)
    share = weight**-1.2
    matters["share"] = share / share.sum()
    return matters


APPROVAL_STATUS = ["办结", "退回", "不予受理", "在办"]
CHANNELS = ["窗口", "网上", "自助"]
RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def approvals_new(
    ctx: Context, period: Period, rng: np.random.Generator, matters: pd.DataFrame
) -> Batch:
    cal = ctx.cal
    st = ctx.roster.stints_in(["审批"])
    days = cal.working_days_between(period.start, period.end)
    rate = 9.0 * st["workload"].to_numpy()
    si, day = _spread(rng, st, days, rate, cal.season_of(days))
    n = len(si)
    pid = st["pid"].to_numpy()[si]
    skill = ctx.skill[pid]
    received = day * DAY + _office_time(rng, n)
    matter = rng.choice(len(matters), n, p=matters["share"].to_numpy())
    promised = matters["promised"].to_numpy()[matter]
    speed = np.exp(rng.normal(np.log(0.45) - 0.25 * skill, 0.5))
    used = np.floor(promised * speed).astype(np.int64)
    status = rng.choice(3, n, p=[0.955, 0.03, 0.015])
    used = np.where(status > 0, np.minimum(used, rng.integers(0, 3, n)), used)
    done_day = cal.add_working_days(day, used)
    same_day = received + rng.integers(10 * 60, 3 * HOUR, n)
    same_day = np.minimum(same_day, day * DAY + 17 * HOUR + 55 * 60)
    same_day = np.maximum(same_day, received + 300)
    done = np.where(used == 0, same_day, done_day * DAY + _office_time(rng, n))
    late = used > promised
    good = rng.random(n) < sigmoid(2.8 + 0.6 * skill - 1.5 * late)
    rating = np.where(
        good,
        np.where(rng.random(n) < 0.62, 0, 1),
        rng.choice([2, 3, 4], n, p=[0.6, 0.3, 0.1]),
    )
    rated = (rng.random(n) < 0.6) & (status == 0)
    batch = {
        "town": st["town"].to_numpy()[si],
        "pid": pid,
        "day": day,
        "received": received,
        "final_ts": done,
        "matter": matter,
        "promised": promised,
        "status": status,
        "channel": rng.choice(3, n, p=[0.55, 0.35, 0.10]),
        "rating": np.where(rated, rating, -1),
    }
    return _ordered(batch, "town", "day", "received")


def approvals_file(
    ctx: Context,
    period: Period,
    batch: Batch,
    rng: np.random.Generator,
    style: str,
    matters: pd.DataFrame,
) -> tuple[dict[str, pa.Array], list[dict]]:
    n = len(batch["pid"])
    shown = batch["final_ts"] < period.export_ts
    status = np.where(shown, batch["status"], 3)
    weights = DEFECT_WEIGHTS | {"bad_enum": 0.05}
    plan = plan_defects(
        rng, n, ctx.defect_rate, weights, {"negative_duration": shown & (status == 0)}
    )
    done = batch["final_ts"].copy()
    neg = plan["negative_duration"]
    done[neg] = batch["received"][neg] - rng.integers(HOUR, 3 * DAY, len(neg))
    cols = {
        "case_no": _record_no(ctx, batch, "SP", 4),
        "matter_code": pick(matters["matter_code"].tolist(), batch["matter"]),
        "matter_name": pick(matters["matter_name_zh"].tolist(), batch["matter"]),
        "handler_id": pick(ctx.staff_ids, batch["pid"]),
        "received_at": fmt_datetime(batch["received"], None, style),
        "completed_at": fmt_datetime(done, shown, style),
        "promised_days": fmt_int(batch["promised"]),
        "status": pick(APPROVAL_STATUS, status),
        "channel": pick(CHANNELS, batch["channel"]),
        "rating": pick(RATINGS, batch["rating"], shown & (batch["rating"] >= 0)),
    }
    return apply_text_defects(
        cols,
        plan,
        rng,
        date_col="received_at",
        handler_col="handler_id",
        year=period.year,
        with_time=True,
        enum_col="status",
    )


# --------------------------------------------------------------------------------------------
# Tickets

TICKET_STATUS = ["办结", "回退", "在办"]
SATISFACTION = ["满意", "基本满意", "不满意", "未评价"]
YES_NO = ["是", "否"]
TICKET_SOURCES = ["12345热线", "网格上报", "群众来访", "书记信箱", "部门转办"]
TICKET_SOURCE_SHARES = [0.58, 0.25, 0.08, 0.04, 0.05]
TICKET_CATEGORIES = [
    "市容环卫",
    "道路交通",
    "噪声扰民",
    "物业管理",
    "劳动保障",
    "农业农村",
    "环境污染",
    "供水供电",
    "政策咨询",
    "医疗卫生",
    "教育培训",
    "邻里纠纷",
]
TICKET_CATEGORY_SHARES = [0.16, 0.1, 0.09, 0.1, 0.08, 0.06, 0.09, 0.07, 0.1, 0.05, 0.04, 0.06]
TICKET_RATE = {"服务": 6.0, "执法": 0.5, "综合管理": 0.25}
# 12345 and grid reports arrive around the clock, mostly by day.
HOUR_SHARES = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 4, 8, 10, 10, 9, 6, 7, 9, 9, 8, 7, 5, 4, 3.5, 3, 2, 1.5]
)


def tickets_new(ctx: Context, period: Period, rng: np.random.Generator) -> Batch:
    cal = ctx.cal
    st = ctx.roster.stints_in(list(TICKET_RATE))
    days = np.arange(period.start, period.end)
    rate = st["role"].map(TICKET_RATE).to_numpy() * st["workload"].to_numpy()
    factor = np.where(cal.working(days), 1.0, 0.35) * cal.season_of(days)
    si, day = _spread(rng, st, days, rate, factor)
    n = len(si)
    pid = st["pid"].to_numpy()[si]
    skill = ctx.skill[pid]
    hour = rng.choice(24, n, p=HOUR_SHARES / HOUR_SHARES.sum())
    tod = hour * HOUR + rng.integers(0, HOUR, n)
    created = day * DAY + tod
    due = cal.add_working_days(day, 5) * DAY + tod
    hours = np.minimum(np.exp(rng.normal(np.log(40) - 0.35 * skill, 0.85)), 60 * 24)
    closed = created + (hours * HOUR).astype(np.int64)
    responded = created + (np.exp(rng.normal(np.log(2.5) - 0.3 * skill, 1.1)) * HOUR).astype(
        np.int64
    )
    responded = np.minimum(responded, created + (closed - created) // 2)
    sent_back = rng.random(n) < 0.02
    final = np.where(sent_back, created + rng.integers(HOUR // 2, 12 * HOUR, n), closed)
    late = closed > due
    satisfied = rng.random(n) < sigmoid(1.8 + 0.5 * skill - 1.2 * late)
    satisfaction = np.where(satisfied, 0, rng.choice([1, 2], n, p=[0.65, 0.35]))
    satisfaction = np.where((rng.random(n) < 0.3) | sent_back, 3, satisfaction)
    reopened = (rng.random(n) < 0.03 * np.exp(-0.4 * skill)) & ~sent_back
    batch = {
        "town": st["town"].to_numpy()[si],
        "pid": pid,
        "day": day,
        "created": created,
        "responded": np.where(rng.random(n) < 0.015, NEVER, responded),
        "due": np.where(rng.random(n) < 0.06, NEVER, due),
        "final_ts": final,
        "sent_back": sent_back,
        "satisfaction": satisfaction,
        "reopened": np.where(reopened, 0, 1),
        "source": rng.choice(len(TICKET_SOURCES), n, p=TICKET_SOURCE_SHARES),
        "category": rng.choice(len(TICKET_CATEGORIES), n, p=TICKET_CATEGORY_SHARES),
    }
    return _ordered(batch, "town", "day", "created")


def tickets_file(
    ctx: Context, period: Period, batch: Batch, rng: np.random.Generator, style: str
) -> tuple[dict[str, pa.Array], list[dict]]:
    n = len(batch["pid"])
    shown = batch["final_ts"] < period.export_ts
    closed_shown = shown & ~batch["sent_back"]
    status = np.where(shown, np.where(batch["sent_back"], 1, 0), 2)
    plan = plan_defects(
        rng, n, ctx.defect_rate, DEFECT_WEIGHTS, {"negative_duration": closed_shown}
    )
    closed = batch["final_ts"].copy()
    neg = plan["negative_duration"]
    closed[neg] = batch["created"][neg] - rng.integers(HOUR, 2 * DAY, len(neg))
    responded_shown = (batch["responded"] < period.export_ts) & (batch["responded"] != NEVER)
    cols = {
        "ticket_no": _record_no(ctx, batch, "GD", 4),
        "source": pick(TICKET_SOURCES, batch["source"]),
        "category": pick(TICKET_CATEGORIES, batch["category"]),
        "handler_id": pick(ctx.staff_ids, batch["pid"]),
        "created_at": fmt_datetime(batch["created"], None, style),
        "responded_at": fmt_datetime(
            np.minimum(batch["responded"], NEVER - 1), responded_shown, style
        ),
        "closed_at": fmt_datetime(closed, closed_shown, style),
        "due_at": fmt_datetime(np.minimum(batch["due"], NEVER - 1), batch["due"] != NEVER, style),
        "status": pick(TICKET_STATUS, status),
        "satisfaction": pick(SATISFACTION, batch["satisfaction"], shown),
        "reopened": pick(YES_NO, batch["reopened"], shown),
    }
    return apply_text_defects(
        cols,
        plan,
        rng,
        date_col="created_at",
        handler_col="handler_id",
        year=period.year,
        with_time=True,
    )


# --------------------------------------------------------------------------------------------
# Enforcement cases

PROCEDURES = ["简易程序", "普通程序"]
DOMAINS = ["市容环境", "生态环境", "安全生产", "市场监管", "农业农村", "自然资源"]
DOMAIN_SHARES = {0: [0.6, 0.08, 0.1, 0.15, 0.05, 0.02], 1: [0.25, 0.2, 0.2, 0.15, 0.08, 0.12]}
REVIEW = ["无", "维持", "纠错"]
CASE_STATUS = ["结案", "已决定", "办理中"]


def _co_officers(
    rng: np.random.Generator, st: pd.DataFrame, si: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """A second officer of the same town who is on duty that day; -1 if none can be found."""
    order = np.argsort(st["town"].to_numpy(), kind="stable")
    towns = st["town"].to_numpy()[order]
    first = np.searchsorted(towns, st["town"].to_numpy()[si], "left")
    size = np.searchsorted(towns, st["town"].to_numpy()[si], "right") - first
    pid, start, end = (st[c].to_numpy() for c in ("pid", "start", "end"))
    co = np.full(len(si), -1)
    todo = np.ones(len(si), dtype=bool)
    for _ in range(8):
        idx = np.flatnonzero(todo)
        cand = order[first[idx] + rng.integers(0, np.maximum(size[idx], 1))]
        ok = (pid[cand] != pid[si[idx]]) & (start[cand] <= day[idx]) & (day[idx] < end[cand])
        co[idx[ok]] = cand[ok]
        todo[idx[ok]] = False
        if not todo.any():
            break
    return co


def cases_new(ctx: Context, period: Period, rng: np.random.Generator) -> Batch:
    cal = ctx.cal
    st = ctx.roster.stints_in(["执法"])
    days = cal.working_days_between(period.start, period.end)
    si, day = _spread(rng, st, days, 0.5 * st["workload"].to_numpy(), cal.season_of(days))
    n = len(si)
    pid = st["pid"].to_numpy()[si]
    skill = ctx.skill[pid]
    ordinary = rng.random(n) < 0.4
    decide = np.round(np.exp(rng.normal(np.log(38) - 0.2 * skill, 0.45))).astype(np.int64)
    close = np.round(np.exp(rng.normal(np.log(12), 0.6))).astype(np.int64)
    # a decision is signed and a case closed at the office: on a working day (调休 included)
    decided = np.where(ordinary, cal.next_working(day + decide), day)
    closed = np.where(ordinary, cal.next_working(decided + close), day)
    simple_fine = rng.integers(5, 21, n) * 10
    ordinary_fine = np.round(np.clip(np.exp(rng.normal(np.log(3000), 1.0, n)), 500, 50_000), -2)
    domain = np.where(
        ordinary,
        rng.choice(6, n, p=DOMAIN_SHARES[1]),
        rng.choice(6, n, p=DOMAIN_SHARES[0]),
    )
    u = rng.random(n)
    corrected = u < 0.05 * np.exp(-0.4 * skill)
    review = np.where(ordinary & corrected, 2, np.where(ordinary & (u > 0.92), 1, 0))
    co = _co_officers(rng, st, si, day)
    batch = {
        "town": st["town"].to_numpy()[si],
        "pid": pid,
        "co_pid": np.where(co >= 0, st["pid"].to_numpy()[np.maximum(co, 0)], -1),
        "day": day,
        "filed_ts": day * DAY + _office_time(rng, n),
        "decided": decided,
        "closed": closed,
        "final_ts": closed * DAY,
        "ordinary": ordinary.astype(np.int64),
        "domain": domain,
        "penalty": np.where(ordinary, ordinary_fine, simple_fine).astype(np.int64),
        "review": review,
    }
    return _ordered(batch, "town", "day", "filed_ts")


def cases_file(
    ctx: Context, period: Period, batch: Batch, rng: np.random.Generator, style: str
) -> tuple[dict[str, pa.Array], list[dict]]:
    n = len(batch["pid"])
    closed_shown = batch["closed"] < period.end
    decided_shown = batch["decided"] < period.end
    status = np.where(closed_shown, 0, np.where(decided_shown, 1, 2))
    plan = plan_defects(
        rng, n, ctx.defect_rate, DEFECT_WEIGHTS, {"negative_duration": closed_shown}
    )
    decided, closed = batch["decided"].copy(), batch["closed"].copy()
    neg = plan["negative_duration"]
    closed[neg] = batch["day"][neg] - rng.integers(1, 30, len(neg))
    decided[neg] = closed[neg]
    cols = {
        "case_no": _record_no(ctx, batch, "ZF", 3),
        "procedure": pick(PROCEDURES, batch["ordinary"]),
        "domain": pick(DOMAINS, batch["domain"]),
        "lead_officer_id": pick(ctx.staff_ids, batch["pid"]),
        "co_officer_id": pick(ctx.staff_ids, np.maximum(batch["co_pid"], 0), batch["co_pid"] >= 0),
        "filed_at": fmt_date(batch["day"], None, style),
        "decided_at": fmt_date(decided, decided_shown, style),
        "closed_at": fmt_date(closed, closed_shown, style),
        "penalty_amount": fmt_int(batch["penalty"], decided_shown),
        "review_outcome": pick(REVIEW, batch["review"], closed_shown),
        "status": pick(CASE_STATUS, status),
    }
    return apply_text_defects(
        cols,
        plan,
        rng,
        date_col="filed_at",
        handler_col="lead_officer_id",
        year=period.year,
        with_time=False,
    )


# --------------------------------------------------------------------------------------------
# Key tasks

TASK_TITLES = [
    "推进农村人居环境整治提升",
    "完成安全生产隐患排查整治",
    "组织开展防汛防台应急演练",
    "编制镇村国土空间规划",
    "开展规上企业走访服务",
    "落实耕地保护和粮食安全责任",
    "做好城乡居民医保征缴",
    "推进12345工单提质增效",
    "开展违法建设专项整治",
    "筹备镇人民代表大会",
    "迎接文明城市创建复评",
    "完成重点项目签约落地",
    "推进村级集体经济增收",
    "开展矛盾纠纷排查化解",
    "推进高标准农田建设",
    "完成村（社区）党组织换届准备",
    "开展全民反诈宣传",
    "落实河长制巡河任务",
    "推进老旧小区改造",
    "做好退役军人服务保障",
    "完成低保对象动态复核",
    "开展燃气安全专项检查",
    "推进政务服务“一件事”改革",
    "开展食品安全示范创建",
    "编报年度财政预算",
    "完成固定资产清查盘点",
    "组织党员集中学习教育",
    "推进网格化服务管理规范化",
    "开展秸秆禁烧巡查",
    "完成统计年报报送",
    "推进“厕所革命”后续管护",
    "开展消防安全大排查",
    "完成招商引资季度目标",
    "做好重要节点信访维稳",
    "推进数字乡村建设",
    "开展困难群众走访慰问",
]
TASK_DAYS = np.array([10, 15, 20, 30, 45, 60, 90])
TASK_DAY_SHARES = [0.1, 0.15, 0.2, 0.25, 0.15, 0.1, 0.05]
TASK_WEIGHTS = np.array([1, 2, 3, 4, 5, 6, 8, 10])
TASK_WEIGHT_SHARES = [0.08, 0.15, 0.2, 0.2, 0.15, 0.1, 0.08, 0.04]


def tasks_new(ctx: Context, period: Period, rng: np.random.Generator) -> Batch:
    cal = ctx.cal
    st = ctx.roster.stints.reset_index(drop=True)
    days = cal.working_days_between(period.start, period.end)
    managing = st["role"].isin(["综合管理", "领导"]).to_numpy()
    rate = np.where(managing, 1.0, 0.08) * st["workload"].to_numpy() / 21
    si, day = _spread(rng, st, days, rate, np.ones(len(days)))
    n = len(si)
    pid = st["pid"].to_numpy()[si]
    skill = ctx.skill[pid]
    span = rng.choice(TASK_DAYS, n, p=TASK_DAY_SHARES)
    due = cal.add_working_days(day + span, 0)
    pace = np.exp(rng.normal(np.log(0.7) - 0.2 * skill, 0.3))
    done = cal.add_working_days(day + np.ceil(span * pace).astype(np.int64), 0)
    never = rng.random(n) < 0.04
    weight = rng.choice(TASK_WEIGHTS, n, p=TASK_WEIGHT_SHARES)
    weight = np.where(st["role"].to_numpy()[si] == "领导", np.minimum(weight + 2, 10), weight)
    batch = {
        "town": st["town"].to_numpy()[si],
        "pid": pid,
        "day": day,
        "assigned_ts": day * DAY,
        "due": due,
        "done": np.where(never, NEVER // DAY, done),
        "final_ts": np.where(never, NEVER, done * DAY),
        "weight": weight,
        "title": rng.integers(0, len(TASK_TITLES), n),
    }
    by_town = np.lexsort((batch["day"], batch["town"]))
    seq = np.empty(n, dtype=np.int64)
    seq[by_town] = daily_sequence(batch["town"][by_town])
    batch["seq"] = seq
    batch["year"] = np.full(n, period.year)
    return _take(batch, by_town)


def tasks_file(
    ctx: Context, period: Period, batch: Batch, rng: np.random.Generator
) -> tuple[dict[str, pa.Array], list[dict]]:
    n = len(batch["pid"])
    shown = batch["done"] < period.end
    plan = plan_defects(rng, n, ctx.defect_rate, DEFECT_WEIGHTS, {"negative_duration": shown})
    done = batch["done"].copy()
    neg = plan["negative_duration"]
    done[neg] = batch["day"][neg] - rng.integers(1, 20, len(neg))
    task_id = concat_text(
        pick(ctx.town_codes, batch["town"]),
        "RW",
        fmt_int(batch["year"]),
        "-",
        fmt_int(batch["seq"], pad=4),
    )
    cols = {
        "task_id": task_id,
        "staff_id": pick(ctx.staff_ids, batch["pid"]),
        "title": pick(TASK_TITLES, batch["title"]),
        "assigned_on": fmt_date(batch["day"], None, "iso"),
        "due_on": fmt_date(batch["due"], None, "iso"),
        "done_on": fmt_date(np.where(shown, done, 0), shown, "iso"),
        "weight": fmt_int(batch["weight"]),
    }
    return apply_text_defects(
        cols,
        plan,
        rng,
        date_col="assigned_on",
        handler_col="staff_id",
        year=period.year,
        with_time=False,
    )
