"""Assessment outcomes: qualitative ratings, grades with the decisions applying them, and the
feedback talks and appeals that follow.

All three derive from one latent performance per person and period (skill plus noise), so a
person who handles cases fast and well is also rated well and more often graded 优秀.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from townperf.generate_base import Period, WorkCalendar, day_number, make_rng, to_date
from townperf.generate_roster import Roster, stint_on

FRONT_LINE = ("审批", "服务", "执法")
CIVIL = ("公务员", "参公")
ANNUAL_GRADES = ["优秀", "称职", "基本称职", "不称职"]
QUARTER_GRADES = ["好", "较好", "一般", "较差"]
BASE_BONUS = {"正科级": 16000, "副科级": 14000, "一级主任科员": 13000, "二级主任科员": 12500}
BASE_BONUS |= {"三级主任科员": 12000, "四级主任科员": 11000, "一级科员": 10000}


@dataclass
class Results:
    """Per-period latent performance, shared by ratings, actions and feedback."""

    roster: Roster
    cal: WorkCalendar
    seed: int
    export_day: int

    def __post_init__(self) -> None:
        self._perf: dict[str, pd.DataFrame] = {}

    def people(self, period: Period) -> pd.DataFrame:
        """Everyone on the roster at the period's last day, with their role then and a latent
        performance for the period."""
        if period.label not in self._perf:
            rng = make_rng(self.seed, "performance", period.label)
            on = stint_on(self.roster, period.last_day).sort_values("pid").reset_index(drop=True)
            persons = self.roster.persons.loc[on["pid"]]
            on["staff_type"] = persons["staff_type"].to_numpy()
            on["rank"] = persons["rank"].to_numpy()
            on["perf"] = on["skill"].to_numpy() + rng.normal(0, 0.45, len(on))
            self._perf[period.label] = on
        return self._perf[period.label]

    def working_day(self, days: np.ndarray | int) -> np.ndarray:
        """Decisions are dated on working days."""
        return self.cal.add_working_days(np.asarray(days, dtype=np.int64), 0)

    def visible(self, day: int | None) -> date | None:
        """Dates after the export date have not happened yet: empty cells."""
        return to_date(day) if day and 0 < day < self.export_day else None


def rating_rows(res: Results, periods: list[Period]) -> list[list[object]]:
    rows: list[list[object]] = []
    for period in periods:
        rng = make_rng(res.seed, "ratings", period.label)
        people = res.people(period)
        n = len(people)
        perf = people["perf"].to_numpy()
        front = people["role"].isin(FRONT_LINE).to_numpy()
        leader = (people["role"] == "领导").to_numpy()
        scores = {
            "上级": 80 + 6 * perf + rng.normal(0, 3, n),
            "同事": 82 + 4 * perf + rng.normal(0, 2.5, n),
            "群众": 86 + 4 * perf + rng.normal(0, 3, n),
            "自评": 91 + 1.5 * perf + rng.normal(0, 2.5, n),
        }
        counts = {
            "上级": np.where(leader, rng.integers(3, 8, n), rng.integers(1, 4, n)),
            "同事": rng.integers(5, 16, n),
            "群众": rng.integers(20, 201, n),
            "自评": np.ones(n, dtype=int),
        }
        columns = []
        for rater in ("上级", "同事", "群众", "自评"):
            score = np.round(np.clip(scores[rater], 60, 100), 1).tolist()
            columns.append((rater, score, counts[rater].tolist(), rater != "群众" or front))
        for i, sid in enumerate(people["staff_id"].tolist()):
            for rater, score, count, present in columns:
                if present is True or present[i]:
                    rows.append([period.label, sid, rater, score[i], count[i]])
    return rows


def _annual_grades(res: Results, period: Period, rng: np.random.Generator) -> pd.DataFrame:
    """The committee's grades: 优秀 within a 15–20% quota per town, a few 基本称职, very
    rarely 不称职."""
    people = res.people(period)
    graded = people[people["staff_type"].isin(CIVIL)].copy()
    grade = np.ones(len(graded), dtype=int)
    perf = graded["perf"].to_numpy()
    for _, idx in graded.groupby("town").indices.items():
        quota = int(round(len(idx) * rng.uniform(0.15, 0.20)))
        top = idx[np.argsort(-perf[idx], kind="stable")[:quota]]
        grade[top] = 0
    grade[perf < -1.9] = 2
    grade[(perf < -2.6) & (rng.random(len(graded)) < 0.5)] = 3
    graded["grade"] = grade
    return graded


def _quarter_grades(res: Results, period: Period, rng: np.random.Generator) -> pd.DataFrame:
    people = res.people(period)
    graded = people[people["staff_type"].isin(CIVIL)].copy()
    perf = graded["perf"].to_numpy()
    grade = np.ones(len(graded), dtype=int)
    for _, idx in graded.groupby("town").indices.items():
        order = idx[np.argsort(-perf[idx], kind="stable")]
        grade[order[: int(round(len(idx) * 0.35))]] = 0
        grade[order[int(round(len(idx) * 0.87)) :]] = 2
    grade[perf < -2.2] = 3
    graded["grade"] = grade
    return graded


def _annual_actions(grade: int, prior_excellent: int, rng: np.random.Generator) -> list[str]:
    """What the committee decided; 嘉奖 is sometimes missing on purpose, so the result-utilization
    page has something due and not applied to show."""
    if grade == 0:
        actions = ["绩效奖金"]
        if rng.random() < 0.9:
            actions.append("嘉奖")
        if prior_excellent >= 2:
            actions.append("记三等功")
        if rng.random() < 0.5:
            actions.append("调整档次")
        if rng.random() < 0.08:
            actions.append("晋升职级")
        return actions
    if grade == 1:
        actions = ["绩效奖金"]
        if rng.random() < 0.45:
            actions.append("调整档次")
        if rng.random() < 0.02:
            actions.append("晋升职级")
        if rng.random() < 0.03:
            actions.append("培训")
        return actions
    if grade == 2:
        return ["诫勉谈话", "培训"]
    return ["调整岗位"]


def _quarter_actions(grade: int, rng: np.random.Generator) -> list[str]:
    if grade in (0, 1):
        return ["绩效奖金"]
    if grade == 3 and rng.random() < 0.6:
        return ["培训"]
    return [""]


def action_rows(res: Results, periods: list[Period]) -> tuple[list[list[object]], pd.DataFrame]:
    """Rows in actions column order, plus the annual grades (feedback talks follow them)."""
    rows: list[list[object]] = []
    annual = pd.DataFrame()
    for period in periods:
        rng = make_rng(res.seed, "actions", period.label)
        is_year = "Q" not in period.label
        graded = (_annual_grades if is_year else _quarter_grades)(res, period, rng)
        n = len(graded)
        end = period.last_day
        if is_year:
            notified = res.working_day(end + rng.integers(25, 56, n))
            notified_ok = rng.random(n) >= 0.03
            prior = rng.binomial(2, 1 / (1 + np.exp(-(1.8 * graded["perf"].to_numpy() - 2.0))))
        else:
            notified = res.working_day(end + rng.integers(8, 21, n))
            notified_ok = rng.random(n) >= 0.05
            prior = np.zeros(n, dtype=int)
        graded["notified"] = np.where(notified_ok, notified, 0)
        for i, (sid, grade, rank) in enumerate(
            zip(graded["staff_id"], graded["grade"], graded["rank"], strict=True)
        ):
            actions = (
                _annual_actions(grade, prior[i], rng) if is_year else _quarter_actions(grade, rng)
            )
            for action in actions:
                rows.append(
                    _action_row(
                        res, rng, period, sid, grade, rank, graded["notified"].iat[i], action
                    )
                )
        if is_year:
            annual = pd.concat([annual, graded.assign(period=period.label)])
    return rows, annual


def _action_row(
    res: Results,
    rng: np.random.Generator,
    period: Period,
    sid: str,
    grade: int,
    rank: object,
    notified: int,
    action: str,
) -> list[object]:
    is_year = "Q" not in period.label
    grade_text = (ANNUAL_GRADES if is_year else QUARTER_GRADES)[grade]
    base = notified if notified else period.last_day + (40 if is_year else 14)
    decided = applied = amount = None
    if action:
        slow = action in ("记三等功", "调整档次", "晋升职级")
        decided_day = int(
            res.working_day(base + rng.integers(10 if slow else 0, 40 if slow else 15))
        )
        u = rng.random()
        if u < 0.05:
            applied_day = 0  # not applied yet
        elif u < 0.13:
            applied_day = decided_day + int(rng.integers(60, 150))  # applied late
        else:
            applied_day = decided_day + int(rng.integers(0, 25))
        decided, applied = res.visible(decided_day), res.visible(applied_day)
        if action == "绩效奖金":
            if is_year:
                bonus = BASE_BONUS.get(rank, 10000) * (1.2 if grade == 0 else 1.0)
            else:
                bonus = 3000 if grade == 0 else 2400
            amount = int(round(bonus * rng.uniform(0.95, 1.05), -2))
    notified_on = res.visible(notified)
    return [period.label, sid, grade_text, notified_on, action or None, decided, applied, amount]


def feedback_rows(res: Results, annual: pd.DataFrame) -> list[list[object]]:
    """Talks after the annual result for ~70% of people, and a few reviews (复核, 30-day clock)
    and appeals (申诉, 60-day clock), some late and some still open."""
    rows: list[tuple[int, str, list[object]]] = []
    for label, graded in annual.groupby("period", sort=True):
        rng = make_rng(res.seed, "feedback", label)
        fallback = day_number(date(int(label), 12, 31)) + 40  # no written notice: learnt later
        start = np.where(graded["notified"] > 0, graded["notified"], fallback)
        for i, sid in enumerate(graded["staff_id"]):
            if rng.random() < 0.7:
                held = int(res.working_day(start[i] + rng.integers(1, 25)))
                rows.append((held, sid, [label, sid, "绩效面谈", held, held, None]))
        for _, idx in graded.groupby("town").indices.items():
            rows += _appeals(res, rng, label, graded.iloc[idx], start[idx])
    rows.sort(key=lambda r: (r[0], r[1]))
    out = []
    for _, _, row in rows:
        if row[3] >= res.export_day:
            continue
        row[3] = to_date(row[3])
        row[4] = res.visible(row[4])
        if row[4] is None:
            row[5] = None
        out.append(row)
    return out


def _appeals(
    res: Results, rng: np.random.Generator, label: str, town: pd.DataFrame, start: np.ndarray
) -> list[tuple[int, str, list[object]]]:
    candidates = np.flatnonzero(town["grade"].to_numpy() > 0)
    if not len(candidates):
        return []
    weight = np.exp(-1.5 * town["perf"].to_numpy()[candidates])
    k = min(len(candidates), 2 + int(rng.poisson(0.5 * len(town) / 70)))
    chosen = rng.choice(candidates, k, replace=False, p=weight / weight.sum())
    out = []
    for n, i in enumerate(sorted(chosen)):
        sid = town["staff_id"].iat[i]
        held = int(res.working_day(start[i] + rng.integers(2, 29)))
        resolved, outcome = _resolve(rng, held, 30)
        out.append((held, sid, [label, sid, "复核申请", held, resolved, outcome]))
        if outcome == "维持" and (n == 0 or rng.random() < 0.3):
            appeal = int(res.working_day(resolved + rng.integers(3, 15)))
            resolved2, outcome2 = _resolve(rng, appeal, 60)
            out.append((appeal, sid, [label, sid, "申诉", appeal, resolved2, outcome2]))
    return out


def _resolve(rng: np.random.Generator, held: int, limit: int) -> tuple[int | None, str | None]:
    u = rng.random()
    if u < 0.12:
        return None, None  # still open
    if u < 0.27:
        resolved = held + int(rng.integers(limit + 1, limit + 30))  # past the legal clock
    else:
        resolved = held + int(rng.integers(limit // 4, limit))
    return resolved, ("维持" if rng.random() < 0.85 else "变更")
