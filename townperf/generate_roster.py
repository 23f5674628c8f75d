"""Synthetic staff: towns, offices, people with a latent skill, and their moves over the window.

The roster is the backbone of every other source: records are only handled by people who are
on the roster in the right role on that day, so joins, departures and office changes show up
consistently in the staff snapshots and in the work records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from faker import Faker

from townperf.generate_base import day_number, make_rng, to_date

NO_END = 10**6  # day number far beyond any window: "still on the roster"

# (office, role category, usual headcount, positions); the first three are the "1+4" front line.
FRONT_OFFICES = [
    ("便民服务中心", "审批", 30, ["综合受理窗口", "审批员", "帮办代办员", "审批员"]),
    ("综合行政执法局", "执法", 30, ["执法队员", "执法队员", "法制审核员", "执法中队长"]),
    ("网格化社会治理联动中心", "服务", 30, ["专职网格员", "12345工单处置员", "指挥调度员"]),
]
# The first NAMED_MANAGEMENT are in every town (the issue names them); the rest are drawn.
NAMED_MANAGEMENT = 4
MANAGEMENT_OFFICES = [
    ("党政办公室", 10, ["文秘", "综合协调", "信息宣传", "机要保密"]),
    ("经济发展局", 8, ["招商引资专员", "企业服务专员", "统计员"]),
    ("社会事业局", 8, ["教育卫生专干", "文化体育专干", "退役军人事务专干"]),
    ("自然资源和规划建设局", 8, ["规划建设专干", "国土资源专干", "村镇建设专干"]),
    ("社会保障和民政办", 6, ["民政专干", "社保专干", "残联专干"]),
    ("党群工作局", 6, ["组织干事", "宣传干事", "群团干事"]),
    ("财政和资产管理局", 5, ["会计", "资产管理员", "财政专干"]),
    ("农业农村局", 6, ["农技员", "农村经营管理专干", "水利专干"]),
]
LEADERSHIP = "镇领导班子"
LEADER_POSTS = [
    ("党委书记", "正科级"),
    ("党委副书记、镇长", "正科级"),
    ("党委副书记", "副科级"),
    ("党委委员、常务副镇长", "副科级"),
    ("党委委员、副镇长", "副科级"),
    ("副镇长", "副科级"),
    ("人大主席", "副科级"),
    ("党委委员、纪委书记", "副科级"),
    ("党委委员、武装部长", "副科级"),
]
STAFF_TYPES = ["公务员", "参公", "事业", "编外"]
TYPE_SHARES = {
    "审批": [0.30, 0.20, 0.25, 0.25],
    "执法": [0.25, 0.40, 0.10, 0.25],
    "服务": [0.20, 0.15, 0.30, 0.35],
    "综合管理": [0.55, 0.15, 0.20, 0.10],
}
CIVIL_RANKS = ["一级科员", "四级主任科员", "三级主任科员", "二级主任科员", "一级主任科员"]
CIVIL_RANK_SHARES = [0.35, 0.30, 0.18, 0.12, 0.05]
INSTITUTION_RANKS = ["管理九级", "管理八级", "专业技术十二级", "专业技术十级"]


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    id_prefix: str
    dept_prefix: str


@dataclass
class Roster:
    """`persons` is one row per person (index = pid); `stints` one row per (person, office) spell
    with `end` cut at the leaving day, so activity generators only check start <= d < end."""

    towns: list[Town]
    persons: pd.DataFrame
    stints: pd.DataFrame
    snapshot_days: list[int]

    def stints_in(self, roles: list[str]) -> pd.DataFrame:
        return self.stints[self.stints["role"].isin(roles)].reset_index(drop=True)


def make_towns(n: int) -> list[Town]:
    if n == 1:
        return [Town("G", "G镇", "G", "")]
    width = 2 if n < 100 else 3
    out = []
    for i in range(1, n + 1):
        code = f"T{i:0{width}d}"
        out.append(Town(code, f"{code}镇", f"{code}-", f"{code}镇·"))
    return out


def _office_head_title(office: str) -> str:
    return "局长" if office.endswith("局") else "主任"


class _TownBuilder:
    """Builds one town's people; a class only to share the rng, name pool and id counter."""

    def __init__(
        self,
        town: Town,
        town_index: int,
        rng: np.random.Generator,
        faker: Faker,
        start: int,
        snaps: list[int],
    ) -> None:
        self.town, self.t, self.rng, self.faker = town, town_index, rng, faker
        self.start, self.snaps = start, snaps
        self.people: list[dict] = []
        self.stints: list[dict] = []
        self.names: set[str] = set()

    def _name(self) -> str:
        for _ in range(50):
            name = self.faker.name()
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def _person(self, role: str, office: str, position: str, **kw: object) -> dict:
        rng = self.rng
        if "staff_type" not in kw:
            kw["staff_type"] = STAFF_TYPES[rng.choice(4, p=TYPE_SHARES[role])]
        if "rank" not in kw:
            if kw["staff_type"] in ("公务员", "参公"):
                kw["rank"] = CIVIL_RANKS[rng.choice(5, p=CIVIL_RANK_SHARES)]
            elif kw["staff_type"] == "事业":
                kw["rank"] = INSTITUTION_RANKS[rng.integers(len(INSTITUTION_RANKS))]
            else:
                kw["rank"] = None
        if "hired_on" not in kw:
            kw["hired_on"] = int(rng.integers(day_number(date(1995, 3, 1)), self.start - 60))
        person = {
            "pid": None,
            "town": self.t,
            "staff_id": f"{self.town.id_prefix}{len(self.people) + 1:04d}",
            "name": self._name(),
            "left_on": NO_END,
            "skill": float(rng.normal(kw.pop("skill_mean", 0.0), 1.0)),
            "workload": float(rng.lognormal(0.0, 0.22)),
            "oversees": None,
            "leader": role == "领导",
            "joiner": False,
            "changer": False,
            **kw,
        }
        self.people.append(person)
        self.stints.append(
            {
                "local": len(self.people) - 1,
                "start": person["hired_on"],
                "role": role,
                "office": office,
                "position": position,
            }
        )
        return person

    def build(self, months: int) -> None:
        rng = self.rng
        # 8–10 offices: the three front offices, the four named management offices, 1–3 more
        n_mgmt = int(rng.integers(NAMED_MANAGEMENT + 1, NAMED_MANAGEMENT + 4))
        drawn = rng.choice(
            np.arange(NAMED_MANAGEMENT, len(MANAGEMENT_OFFICES)),
            n_mgmt - NAMED_MANAGEMENT,
            replace=False,
        )
        mgmt_pick = [*range(NAMED_MANAGEMENT), *sorted(drawn)]
        mgmt = [MANAGEMENT_OFFICES[i] for i in mgmt_pick]
        scale = 44 / sum(size for _, size, _ in mgmt)
        offices = [
            (name, role, size * rng.uniform(0.9, 1.1), pos)
            for name, role, size, pos in FRONT_OFFICES
        ]
        offices += [
            (name, "综合管理", size * scale * rng.uniform(0.85, 1.15), pos)
            for name, size, pos in mgmt
        ]
        self.offices = [(name, role, max(3, round(size)), pos) for name, role, size, pos in offices]

        n_leaders = 9 if rng.random() < 0.4 else 8
        for post, rank in LEADER_POSTS[:n_leaders]:
            self._person(
                "领导",
                LEADERSHIP,
                post,
                staff_type="公务员",
                rank=rank,
                hired_on=int(
                    rng.integers(day_number(date(1992, 8, 1)), day_number(date(2010, 8, 1)))
                ),
                skill_mean=0.3,
            )
        for office, role, size, positions in self.offices:
            self._person(
                role,
                office,
                _office_head_title(office),
                staff_type="公务员",
                rank="副科级",
                skill_mean=0.3,
            )
            for _ in range(size - 1):
                self._person(role, office, positions[rng.integers(len(positions))])
        self._assign_oversight()
        self._add_moves(months)

    def _assign_oversight(self) -> None:
        """Each office is overseen by one leader; leaders oversee 1–3 offices."""
        leaders = [p for p in self.people if p["leader"]]
        names = [o[0] for o in self.offices]
        order = list(self.rng.permutation(len(names)))
        oversee: list[list[str]] = [[] for _ in leaders]
        for k, office_i in enumerate(order):
            target = k % len(leaders)
            if len(oversee[target]) >= 3:
                target = int(np.argmin([len(x) for x in oversee]))
            oversee[target].append(names[office_i])
        for leader, offices in zip(leaders, oversee, strict=True):
            if not offices:  # more leaders than offices: two leaders share one
                offices = [names[int(self.rng.integers(len(names)))]]
            leader["oversees"] = "、".join(self.town.dept_prefix + o for o in offices)

    def _add_moves(self, months: int) -> None:
        rng = self.rng
        share = months / 24
        base = [
            i
            for i, p in enumerate(self.people)
            if not p["leader"] and self.stints[i]["position"] not in ("局长", "主任")
        ]
        n_base = len(self.people)
        last_snap = self.snaps[-1]
        first_change = self.snaps[0] + 1 if len(self.snaps) > 1 else self.start + 1

        n_leave = int(round(0.08 * n_base * share))
        leavers = rng.choice(base, min(n_leave, len(base)), replace=False)
        for i in leavers:
            self.people[i]["left_on"] = int(rng.integers(self.start + 1, last_snap + 1))

        n_change = max(1, int(round(0.05 * n_base * share)))
        stayers = [i for i in base if self.people[i]["left_on"] > last_snap]
        changers = rng.choice(stayers, min(n_change, len(stayers)), replace=False)
        front = {o[0] for o in self.offices[:3]}
        for k, i in enumerate(changers):
            old = self.stints[i]
            if k == 0:
                # The typical post-reform move: a grid/12345 worker goes to the approval window.
                grid = self.offices[2]
                old.update(role=grid[1], office=grid[0], position=grid[3][0])
                new = self.offices[0]
            else:
                others = [o for o in self.offices if o[1] != old["role"]]
                if old["office"] in front and rng.random() < 0.6:
                    others = [o for o in others if o[0] in front]
                new = others[rng.integers(len(others))]
            change_day = int(rng.integers(first_change, last_snap + 1))
            self.people[i]["changer"] = True
            self.stints.append(
                {
                    "local": i,
                    "start": change_day,
                    "role": new[1],
                    "office": new[0],
                    "position": new[3][rng.integers(len(new[3]))],
                }
            )

        n_join = int(round(0.10 * n_base * share))
        staff_offices = self.offices
        weights = np.array([o[2] for o in staff_offices], dtype=float)
        for _ in range(n_join):
            office, role, _, positions = staff_offices[
                rng.choice(len(staff_offices), p=weights / weights.sum())
            ]
            staff_type = STAFF_TYPES[rng.choice(4, p=[0.25, 0.15, 0.25, 0.35])]
            rank = {"公务员": "一级科员", "参公": "一级科员", "事业": "管理九级"}.get(staff_type)
            person = self._person(
                role,
                office,
                positions[rng.integers(len(positions))],
                staff_type=staff_type,
                rank=rank,
                hired_on=int(rng.integers(self.start + 1, last_snap + 1)),
                skill_mean=-0.3,
            )
            person["joiner"] = True


def build_roster(
    seed: int, n_towns: int, start: date, end: date, snapshot_days: list[int]
) -> Roster:
    rng = make_rng(seed, "roster")
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    towns = make_towns(n_towns)
    months = (end.year - start.year) * 12 + end.month - start.month
    people: list[dict] = []
    stints: list[dict] = []
    for t, town in enumerate(towns):
        builder = _TownBuilder(town, t, rng, faker, day_number(start), snapshot_days)
        builder.build(months)
        offset = len(people)
        for person in builder.people:
            person["pid"] = len(people)
            person["town_code"] = town.code
            people.append(person)
        for stint in builder.stints:
            stints.append({"pid": offset + stint.pop("local"), "town": t, **stint})

    persons = pd.DataFrame(people).set_index("pid", drop=False)
    st = pd.DataFrame(stints).sort_values(["pid", "start"], kind="stable").reset_index(drop=True)
    nxt = st.groupby("pid")["start"].shift(-1).fillna(NO_END).astype(np.int64)
    st["end"] = np.minimum(nxt.to_numpy(), persons.loc[st["pid"], "left_on"].to_numpy())
    prefix = np.array([towns[t].dept_prefix for t in st["town"]], dtype=object)
    st["department"] = prefix + st["office"].to_numpy(dtype=object)
    st["skill"] = persons.loc[st["pid"], "skill"].to_numpy()
    st["workload"] = persons.loc[st["pid"], "workload"].to_numpy()
    st["staff_id"] = persons.loc[st["pid"], "staff_id"].to_numpy()
    return Roster(towns=towns, persons=persons, stints=st, snapshot_days=snapshot_days)


def stint_on(roster: Roster, day: int) -> pd.DataFrame:
    """The spell each person is in on `day` (people not yet hired or already gone are absent)."""
    st = roster.stints
    on = st[(st["start"] <= day) & (day < st["end"])]
    return on.drop_duplicates("pid", keep="last")


def snapshot_rows(roster: Roster, as_of: int, previous: int) -> list[list[object]]:
    """Roster as printed on `as_of`: leavers of this quarter still listed with their leaving day."""
    persons = roster.persons
    present = persons[(persons["hired_on"] <= as_of) & (persons["left_on"] > previous)]
    st = roster.stints
    spells = st[st["start"] <= as_of].drop_duplicates("pid", keep="last").set_index("pid")
    spells = spells.loc[present.index]
    as_of_date = to_date(as_of)
    rows = []
    for values in zip(
        present["staff_id"],
        present["name"],
        spells["department"],
        spells["position"],
        spells["role"],
        present["staff_type"],
        present["rank"],
        present["hired_on"],
        present["left_on"],
        spells["start"],
        present["oversees"],
        strict=True,
    ):
        sid, name, dept, position, role, stype, rank, hired, left, post_since, oversees = values
        rank = rank if isinstance(rank, str) else None
        oversees = oversees if isinstance(oversees, str) else None
        left_on = to_date(left) if left <= as_of else None
        rows.append(
            [
                as_of_date,
                sid,
                name,
                dept,
                position,
                role,
                stype,
                rank,
                to_date(hired),
                left_on,
                to_date(max(post_since, hired)),
                oversees,
            ]
        )
    return rows
