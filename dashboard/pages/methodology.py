"""考核办法 — the scoring method, generated from the seeds the SQL uses: what is measured and
how, the weights of each job category, workload equivalents, settings with their sources,
legal deadlines, grade rules, and the seven steps of the method with the actual values.

The page is public. Its what-if weights panel shows people's composites and ranks, so it is
built only for the roles of the results page and its component ids start with
`results-whatif-`: the server applies the results page's roles to its callbacks. Each ranking
the panel shows is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from dashboard.auth import audit_view, may_see, viewer
from dashboard.components import person as pc
from dashboard.components import report_figures as rf
from dashboard.components import scoring
from dashboard.components.export import to_xlsx_bytes
from dashboard.components.formatting import fmt_value, is_missing, period_label
from dashboard.components.layout import page_header, section_title
from dashboard.components.reports import action_name, compact, graph, setting_text
from dashboard.components.table import Column
from dashboard.context import warehouse_path
from dashboard.i18n import category_name, current_lang, pick, t, unit_name
from warehouse import report_queries as rq
from warehouse.queries import WarehouseUnavailable

dash.register_page(
    __name__,
    path="/methodology",
    name="考核办法",
    title=lambda: f"{t('page.methodology')} · {t('app.title')}",
    order=70,
    label_key="page.methodology",
)

WHATIF_PAGE = "results"  # the what-if panel is shown to, and its callbacks guarded for, these roles
DEADLINE_UNITS = ("days", "working days", "hours")
SECTIONS = ("steps", "indicators", "weights", "workload", "settings", "grades")


def layout(**_query: str) -> html.Div:
    """Public: anyone may read the method (no `guard_layout`; the policy allows every role)."""
    lang = current_lang()
    seeds, built = load_seeds()
    header = page_header(
        t("page.methodology", lang),
        t("methodology.subtitle", lang),
        aside=pc.export_button("methodology-download-button", t("methodology.download", lang)),
    )
    blocks = [
        header,
        _contents(lang),
        html.Div(
            t("methodology.from_seeds", lang) if built else t("methodology.from_files", lang),
            className="method-source",
        ),
        _section("steps", lang),
        html.Div(steps(seeds, lang), id="methodology-steps"),
        _section("indicators", lang),
        indicator_catalog(seeds, lang),
        _section("weights", lang),
        weights_section(seeds, lang),
        _section("workload", lang),
        workload_section(seeds, lang),
        _section("settings", lang),
        settings_section(seeds, lang),
        _section("grades", lang),
        grades_section(seeds, lang),
    ]
    if built and may_see(WHATIF_PAGE, viewer()):
        blocks += [
            section_title(t("whatif.title", lang)),
            whatif_panel(warehouse_path(), seeds, lang),
        ]
    blocks.append(dcc.Download(id="methodology-download"))
    return html.Div(blocks, className="methodology-page")


def load_seeds() -> tuple[dict[str, pd.DataFrame], bool]:
    """The seeds as the served warehouse holds them, or from the dbt project before any build
    (the method is public and needs no data); and whether they came from the warehouse."""
    try:
        return rq.seed_tables(warehouse_path()), True
    except WarehouseUnavailable:
        return rq.seed_tables_from_files(), False


@callback(
    Output("methodology-download", "data"),
    Input("methodology-download-button", "n_clicks"),
    prevent_initial_call=True,
)
def download_method(n_clicks: int | None):
    if not n_clicks:
        return dash.no_update
    lang = current_lang()
    seeds, _ = load_seeds()
    return dcc.send_bytes(to_xlsx_bytes(workbook(seeds, lang)), t("methodology.xlsx_name", lang))


def _section(key: str, lang: str) -> html.Div:
    """A section title the contents line links to."""
    return html.Div(
        section_title(t(f"methodology.section.{key}", lang)), id=f"methodology-section-{key}"
    )


def _contents(lang: str) -> html.Nav:
    return html.Nav(
        [
            html.A(t(f"methodology.section.{key}", lang), href=f"#methodology-section-{key}")
            for key in SECTIONS
        ],
        className="method-contents",
    )


# -- small helpers ----------------------------------------------------------------------------


def _setting(seeds: dict[str, pd.DataFrame], name: str) -> pd.Series:
    rows = seeds["settings"][seeds["settings"]["setting"] == name]
    if rows.empty:
        return pd.Series({"setting": name, "value": None, "unit": "", "source": ""})
    return rows.iloc[0]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _joined(items: Sequence[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _table(
    table_id: str, headers: Sequence[str], rows: Sequence[Sequence], class_name: str = ""
) -> html.Div:
    return html.Div(
        dbc.Table(
            [
                html.Thead(html.Tr([html.Th(h) for h in headers])),
                html.Tbody(
                    [
                        html.Tr([html.Td(cell) for cell in row], id=f"{table_id}-{i}")
                        for i, row in enumerate(rows)
                    ]
                ),
            ],
            id=table_id,
            bordered=False,
            hover=True,
            size="sm",
            class_name=f"method-table {class_name}".strip(),
        ),
        className="table-responsive",
    )


def _card(children: list | html.Div, card_id: str | None = None) -> dbc.Card:
    props = {"id": card_id} if card_id else {}
    return dbc.Card(dbc.CardBody(children), class_name="chart-card method-card", **props)


def _names(seeds: dict[str, pd.DataFrame], lang: str) -> dict[str, str]:
    return {
        row["indicator_code"]: pick(row, "name", lang)
        for row in seeds["indicators"].to_dict("records")
    }


def _categories(seeds: dict[str, pd.DataFrame]) -> list[str]:
    return list(seeds["role_categories"]["role_category"])


# -- the seven steps --------------------------------------------------------------------------


def steps(seeds: dict[str, pd.DataFrame], lang: str) -> html.Div:
    """Steps 1–7 of the scoring method with the values of the seeds written in."""
    indicators = seeds["indicators"]
    names = _names(seeds, lang)
    categories = seeds["role_categories"]
    m = _setting(seeds, "shrinkage_m")
    quota = _setting(seeds, "excellent_quota")
    low = _setting(seeds, "low_score_share")
    publicity = _setting(seeds, "publicity_working_days")
    volumes = [names[c] for c in indicators.loc[indicators["kind"] == "volume", "indicator_code"]]
    lower = [names[c] for c in indicators.loc[indicators["direction"] == "lower", "indicator_code"]]
    shares = _joined(
        [
            f"{category_name(r['role_category'], lang)} {float(r['qualitative_share']) * 100:g}%"
            for r in categories.to_dict("records")
        ],
        lang,
    )
    coverages = _joined(
        [
            f"{category_name(r['role_category'], lang)} {float(r['min_coverage']) * 100:g}%"
            for r in categories.to_dict("records")
        ],
        lang,
    )
    rules = seeds["grade_eligibility"]
    eligibility = _joined(
        [
            t(
                "methodology.step7.rule",
                lang,
                quarterly=pc.grade_name(r["quarterly_grade"], lang),
                annual=pc.grade_name(r["excludes_annual_grade"], lang),
            )
            for r in rules.to_dict("records")
        ],
        lang,
    )
    values = {
        "volumes": _joined(volumes, lang),
        "m": setting_text(m["value"], "", lang),
        "m_source": m["source"],
        "lower": _joined(lower, lang),
        "shares": shares,
        "coverages": coverages,
        "quota": setting_text(quota["value"], "share", lang),
        "quota_source": quota["source"],
        "eligibility": eligibility or t("methodology.step7.no_rules", lang),
        "low": setting_text(low["value"], "share", lang),
        "publicity": setting_text(publicity["value"], "", lang),
    }
    items = [
        html.Li(
            [
                html.Div(t(f"methodology.step{i}.title", lang), className="step-title"),
                html.Div(t(f"methodology.step{i}.body", lang, **values), className="step-body"),
            ],
            id=f"methodology-step-{i}",
        )
        for i in range(1, 8)
    ]
    return _card([html.Ol(items, className="method-steps")], "methodology-steps-card")


# -- indicators -------------------------------------------------------------------------------


def indicator_catalog(seeds: dict[str, pd.DataFrame], lang: str) -> dbc.Card:
    weights = seeds["indicator_weights"]
    used_by = weights.groupby("indicator_code")["role_category"].apply(list).to_dict()
    rows = []
    for row in seeds["indicators"].to_dict("records"):
        code = row["indicator_code"]
        rows.append(
            [
                html.Div(
                    [
                        html.Div(pick(row, "name", lang), className="ind-title"),
                        html.Code(code, className="ind-code"),
                    ]
                ),
                _joined([category_name(c, lang) for c in used_by.get(code, [])], lang),
                t(f"methodology.kind.{row['kind']}", lang),
                t(f"methodology.direction.{row['direction']}", lang),
                unit_name(row["unit"], lang),
                pick(row, "formula", lang),
                pick(row, "owner", lang),
                str(int(row["min_n"])) if _number(row["min_n"]) is not None else "—",
                t(f"methodology.source.{row['source_table']}", lang),
            ]
        )
    headers = [
        t(f"methodology.col.{c}", lang)
        for c in (
            "indicator",
            "categories",
            "kind",
            "direction",
            "unit",
            "formula",
            "owner",
            "min_n",
            "source",
        )
    ]
    return _card(
        [
            _table("methodology-indicators", headers, rows, "indicator-table"),
            pc.note(t("methodology.indicators.note", lang)),
        ],
        "methodology-indicators-card",
    )


def weights_section(seeds: dict[str, pd.DataFrame], lang: str) -> html.Div:
    effective = scoring.effective_weights(
        seeds["indicator_weights"], seeds["indicators"], seeds["role_categories"]
    )
    names = _names(seeds, lang)
    categories = _categories(seeds)
    figure = rf.weights_figure(
        effective, names, catalog_order(seeds), t("methodology.weights.figure", lang), lang
    )
    cell = effective.set_index(["indicator_code", "role_category"])
    # the catalog's order, quantitative indicators first
    catalog = catalog_order(seeds)
    used = effective.drop_duplicates("indicator_code").assign(
        position=lambda f: f["indicator_code"].map(catalog.index)
    )
    order = list(used.sort_values(["is_qualitative", "position"])["indicator_code"])
    rows = []
    for code in order:
        is_rating = bool(
            effective.loc[effective["indicator_code"] == code, "is_qualitative"].iloc[0]
        )
        cells: list = [
            html.Div(
                [
                    html.Span(names.get(code, code)),
                    html.Span(
                        t(
                            "methodology.weights.rating"
                            if is_rating
                            else "methodology.weights.quant",
                            lang,
                        ),
                        className=f"part-badge {'part-qual' if is_rating else 'part-quant'}",
                    ),
                ]
            )
        ]
        for category in categories:
            if (code, category) in cell.index:
                entry = cell.loc[(code, category)]
                cells.append(
                    html.Span(
                        [
                            html.Span(f"{float(entry['weight']):g}", className="weight-raw"),
                            html.Span(
                                f"{float(entry['effective_weight']) * 100:.1f}%",
                                className="weight-effective",
                            ),
                        ]
                    )
                )
            else:
                cells.append("")
        rows.append(cells)
    shares = seeds["role_categories"].set_index("role_category")
    rows.append(
        [html.Strong(t("methodology.weights.share", lang))]
        + [setting_text(shares.loc[c, "qualitative_share"], "share", lang) for c in categories]
    )
    rows.append(
        [html.Strong(t("methodology.weights.coverage", lang))]
        + [setting_text(shares.loc[c, "min_coverage"], "share", lang) for c in categories]
    )
    headers = [t("methodology.col.indicator", lang)] + [category_name(c, lang) for c in categories]
    return dbc.Row(
        [
            dbc.Col(
                _card(
                    [
                        _table("methodology-weights", headers, rows, "weights-table"),
                        pc.note(t("methodology.weights.note", lang)),
                    ],
                    "methodology-weights-card",
                ),
                lg=7,
            ),
            dbc.Col(
                _card([graph("methodology-weights-graph", figure)]),
                lg=5,
            ),
        ],
        class_name="g-3",
    )


def catalog_order(seeds: dict[str, pd.DataFrame]) -> list[str]:
    return list(seeds["indicators"]["indicator_code"])


def workload_section(seeds: dict[str, pd.DataFrame], lang: str) -> dbc.Row:
    matters = [
        [
            r["matter_code"],
            pick(r, "matter_name", lang),
            f"{float(r['workload_weight']):g}",
            r["basis"],
        ]
        for r in seeds["matter_weights"].to_dict("records")
    ]
    procedures = [
        [
            r["procedure"] if lang == "zh" else r.get("procedure_en") or r["procedure"],
            f"{float(r['workload_weight']):g}",
            r["basis"],
        ]
        for r in seeds["procedure_weights"].to_dict("records")
    ]
    return dbc.Row(
        [
            dbc.Col(
                _card(
                    [
                        html.H3(t("methodology.workload.matters", lang), className="card-title-sm"),
                        _table(
                            "methodology-matters",
                            [
                                t(f"methodology.col.{c}", lang)
                                for c in ("matter_code", "matter", "equivalent", "basis")
                            ],
                            matters,
                        ),
                    ]
                ),
                lg=7,
            ),
            dbc.Col(
                _card(
                    [
                        html.H3(
                            t("methodology.workload.procedures", lang), className="card-title-sm"
                        ),
                        _table(
                            "methodology-procedures",
                            [
                                t(f"methodology.col.{c}", lang)
                                for c in ("procedure", "equivalent", "basis")
                            ],
                            procedures,
                        ),
                        pc.note(
                            t(
                                "methodology.workload.co_officer",
                                lang,
                                share=setting_text(
                                    _setting(seeds, "case_co_officer_share")["value"], "share", lang
                                ),
                            )
                        ),
                    ]
                ),
                lg=5,
            ),
        ],
        class_name="g-3",
    )


def settings_section(seeds: dict[str, pd.DataFrame], lang: str) -> html.Div:
    settings = seeds["settings"]
    deadlines = settings[settings["unit"].isin(DEADLINE_UNITS)]
    tiles = [
        dbc.Col(
            html.Div(
                [
                    html.Div(pick(r, "description", lang), className="deadline-label"),
                    html.Div(setting_text(r["value"], r["unit"], lang), className="deadline-value"),
                    html.Div(r["source"], className="deadline-source"),
                ],
                className="deadline-tile" + (" deadline-legal" if "《" in str(r["source"]) else ""),
                id=f"methodology-deadline-{r['setting']}",
            )
        )
        for r in deadlines.to_dict("records")
    ]
    rows = [
        [
            html.Code(r["setting"]),
            pick(r, "description", lang),
            setting_text(r["value"], r["unit"], lang),
            r["source"],
        ]
        for r in settings.to_dict("records")
    ]
    headers = [t(f"methodology.col.{c}", lang) for c in ("setting", "meaning", "value", "basis")]
    return html.Div(
        [
            html.H3(t("methodology.deadlines", lang), className="subsection-title"),
            dbc.Row(tiles, class_name="row-cols-1 row-cols-md-2 row-cols-xl-4 g-3 mb-3"),
            _card([_table("methodology-settings", headers, rows)], "methodology-settings-card"),
        ]
    )


def grades_section(seeds: dict[str, pd.DataFrame], lang: str) -> dbc.Row:
    rules = [
        [
            pc.grade_name(r["quarterly_grade"], lang),
            pc.grade_name(r["excludes_annual_grade"], lang),
            r["basis"],
        ]
        for r in seeds["grade_eligibility"].to_dict("records")
    ]
    consequences = [
        [
            pc.grade_name(r["final_grade"], lang),
            action_name(r["expected_action"], lang),
            t(f"methodology.expectation.{r['expectation']}", lang),
            pick(r, "condition", lang),
            r["source"],
        ]
        for r in seeds["grade_consequences"].to_dict("records")
    ]
    return dbc.Row(
        [
            dbc.Col(
                _card(
                    [
                        html.H3(
                            t("methodology.grades.consequences", lang), className="card-title-sm"
                        ),
                        _table(
                            "methodology-consequences",
                            [
                                t(f"methodology.col.{c}", lang)
                                for c in ("grade", "action", "expectation", "condition", "basis")
                            ],
                            consequences,
                        ),
                        pc.note(t("methodology.grades.consequences_note", lang)),
                    ]
                ),
                lg=7,
            ),
            dbc.Col(
                _card(
                    [
                        html.H3(
                            t("methodology.grades.eligibility", lang), className="card-title-sm"
                        ),
                        _table(
                            "methodology-eligibility",
                            [
                                t(f"methodology.col.{c}", lang)
                                for c in ("quarterly_grade", "excludes", "basis")
                            ],
                            rules,
                        ),
                        pc.note(t("methodology.grades.eligibility_note", lang)),
                    ]
                ),
                lg=5,
            ),
        ],
        class_name="g-3",
    )


# -- export -----------------------------------------------------------------------------------


def workbook(seeds: dict[str, pd.DataFrame], lang: str) -> dict[str, pd.DataFrame]:
    """The catalog, the weights (with effective weights), and every other seed, one sheet each."""
    effective = scoring.effective_weights(
        seeds["indicator_weights"], seeds["indicators"], seeds["role_categories"]
    )
    names = _names(seeds, lang)
    weights = pd.DataFrame(
        {
            t("methodology.col.category", lang): [
                category_name(c, lang) for c in effective["role_category"]
            ],
            t("methodology.col.code", lang): effective["indicator_code"],
            t("methodology.col.indicator", lang): [
                names.get(c, c) for c in effective["indicator_code"]
            ],
            t("methodology.col.weight", lang): effective["weight"],
            t("methodology.col.effective", lang): (effective["effective_weight"] * 100).round(2),
        }
    )
    sheets = {t("methodology.sheet.weights", lang): weights}
    for name in rq.SEED_TABLES:
        sheets[name] = seeds[name]
    return sheets


# -- what-if weights (leader and HR only) -----------------------------------------------------


def whatif_panel(path: Path, seeds: dict[str, pd.DataFrame], lang: str) -> dbc.Card:
    """Controls for one category's weights and qualitative share, and the ranking they give."""
    categories = _categories(seeds)
    periods = rq.whatif_periods(path)
    period_options = [
        {
            "label": period_label("year", p, lang)
            + ("" if complete else f" {t('period.partial', lang)}"),
            "value": p.isoformat(),
        }
        for p, complete in zip(periods["period_start"], periods["is_complete"], strict=True)
    ]
    complete = [
        o["value"] for o, c in zip(period_options, periods["is_complete"], strict=True) if c
    ]
    period = complete[0] if complete else (period_options[0]["value"] if period_options else None)
    category = categories[0] if categories else None
    editors, share = weight_editors(seeds, category, lang)
    controls = pc.filter_bar(
        [
            pc.labelled(
                t("person.filter.category", lang),
                dbc.Select(
                    id="results-whatif-category",
                    options=[{"label": category_name(c, lang), "value": c} for c in categories],
                    value=category,
                ),
                "results-whatif-category",
                xs=12,
                md=4,
                lg=3,
            ),
            pc.labelled(
                t("whatif.year", lang),
                dbc.Select(id="results-whatif-period", options=period_options, value=period),
                "results-whatif-period",
                xs=12,
                md=4,
                lg=3,
            ),
            dbc.Col(
                dbc.Button(
                    t("whatif.reset", lang),
                    id="results-whatif-reset",
                    color="secondary",
                    outline=True,
                    n_clicks=0,
                ),
                xs="auto",
                class_name="ms-auto",
            ),
        ]
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.P(t("whatif.lead", lang), className="whatif-lead"),
                controls,
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Div(editors, id="results-whatif-weights"),
                                html.Div(
                                    [
                                        dbc.Label(
                                            t("whatif.share", lang), html_for="results-whatif-share"
                                        ),
                                        dcc.Slider(
                                            id="results-whatif-share",
                                            min=0,
                                            max=1,
                                            step=0.05,
                                            value=share,
                                            marks={v / 4: f"{v * 25}%" for v in range(5)},
                                            tooltip={
                                                "placement": "bottom",
                                                "always_visible": False,
                                            },
                                        ),
                                    ],
                                    className="whatif-share",
                                ),
                            ],
                            lg=3,
                        ),
                        dbc.Col(
                            html.Div(
                                whatif_result(path, seeds, category, period, {}, share, lang),
                                id="results-whatif-result",
                            ),
                            lg=9,
                        ),
                    ],
                    class_name="g-3 mt-1",
                ),
            ]
        ),
        class_name="chart-card whatif-card",
        id="results-whatif-panel",
    )


def category_weights(seeds: dict[str, pd.DataFrame], category: str | None) -> pd.DataFrame:
    """The category's indicators with their seed weight, quantitative ones first."""
    weights = seeds["indicator_weights"]
    kinds = seeds["indicators"].set_index("indicator_code")["kind"]
    rows = weights[weights["role_category"] == category].copy()
    rows["is_qualitative"] = rows["indicator_code"].map(kinds).eq("rating")
    return rows.sort_values("is_qualitative", kind="stable")


def seed_share(seeds: dict[str, pd.DataFrame], category: str | None) -> tuple[float, float]:
    """The category's qualitative share and minimum coverage."""
    rows = seeds["role_categories"][seeds["role_categories"]["role_category"] == category]
    if rows.empty:
        return 0.0, 0.0
    return float(rows["qualitative_share"].iloc[0]), float(rows["min_coverage"].iloc[0])


def weight_editors(
    seeds: dict[str, pd.DataFrame], category: str | None, lang: str
) -> tuple[list, float]:
    """A number input per indicator of the category (seed weight filled in), and the seed share."""
    names = _names(seeds, lang)
    rows = category_weights(seeds, category)
    groups = []
    for is_rating, part in rows.groupby("is_qualitative", sort=True):
        groups.append(
            html.Div(
                [
                    html.Div(
                        t("whatif.rating_weights" if is_rating else "whatif.quant_weights", lang),
                        className="whatif-group",
                    ),
                    *[
                        dbc.InputGroup(
                            [
                                dbc.InputGroupText(names.get(code, code), class_name="whatif-name"),
                                dbc.Input(
                                    id={"type": "results-whatif-weight", "index": code},
                                    type="number",
                                    min=0,
                                    step=1,
                                    value=float(weight),
                                    debounce=True,
                                ),
                            ],
                            size="sm",
                            class_name="mb-1",
                        )
                        for code, weight in zip(part["indicator_code"], part["weight"], strict=True)
                    ],
                ]
            )
        )
    share, _ = seed_share(seeds, category)
    return groups, share


@callback(
    Output("results-whatif-weights", "children"),
    Output("results-whatif-share", "value"),
    Input("results-whatif-category", "value"),
    Input("results-whatif-reset", "n_clicks"),
    prevent_initial_call=True,
)
def reset_weights(category: str | None, _n_clicks: int | None) -> tuple[list, float]:
    seeds, _ = load_seeds()
    return weight_editors(seeds, category, current_lang())


@callback(
    Output("results-whatif-result", "children"),
    Input({"type": "results-whatif-weight", "index": ALL}, "value"),
    Input("results-whatif-share", "value"),
    Input("results-whatif-period", "value"),
    State("results-whatif-category", "value"),
    prevent_initial_call=True,
)
def update_whatif(
    values: list, share: float | None, period: str | None, category: str | None
) -> html.Div:
    tried = {
        item["id"]["index"]: item.get("value")
        for item in ctx.inputs_list[0]
        if isinstance(item.get("id"), dict)
    }
    seeds, _ = load_seeds()
    return whatif_result(warehouse_path(), seeds, category, period, tried, share, current_lang())


def tried_weights(
    seeds: dict[str, pd.DataFrame], category: str | None, tried: dict[str, object]
) -> dict[str, float]:
    """The weights to try: the value typed for each indicator of the category, the seed's weight
    where nothing usable was typed (an input of another category, an empty box)."""
    weights = {}
    rows = category_weights(seeds, category)
    for code, seed in zip(rows["indicator_code"], rows["weight"], strict=True):
        value = _number(tried.get(code))
        weights[code] = max(value, 0.0) if value is not None else float(seed)
    return weights


def whatif_result(
    path: Path,
    seeds: dict[str, pd.DataFrame],
    category: str | None,
    period: str | None,
    tried: dict[str, object],
    share: float | None,
    lang: str,
) -> html.Div:
    if not category or not period:
        return html.Div(t("empty.period", lang), className="text-muted p-3")
    start = date.fromisoformat(period)
    table = whatif_table(path, seeds, category, start, tried, share)
    # names, composites and ranks of the whole category: a view of personal data
    audit_view("view_whatif", None, f"{category} year|{start.isoformat()}")
    moved = table.dropna(subset=["movement"])
    up = moved[moved["movement"] > 0]
    down = moved[moved["movement"] < 0]
    cards = [
        pc.stat_card(
            "results-whatif-moved",
            t("whatif.moved", lang),
            fmt_value(len(up) + len(down), "count"),
            t("whatif.moved_detail", lang, n=int(table["rank_baseline"].notna().sum())),
            tone="stat-main",
        ),
        pc.stat_card(
            "results-whatif-up",
            t("whatif.up", lang),
            f"▲ {int(up['movement'].max())}" if len(up) else "—",
            up.sort_values("movement", ascending=False)["name"].iloc[0] if len(up) else None,
        ),
        pc.stat_card(
            "results-whatif-down",
            t("whatif.down", lang),
            f"▼ {int(-down['movement'].min())}" if len(down) else "—",
            down.sort_values("movement")["name"].iloc[0] if len(down) else None,
        ),
        pc.stat_card(
            "results-whatif-unranked",
            t("whatif.unranked", lang),
            fmt_value(int(table["insufficient_data_whatif"].fillna(True).sum()), "count"),
            t("whatif.unranked_detail", lang),
        ),
    ]
    shown = table.assign(
        rank_now=[pc.rank_of(r, 1).split(" / ")[0] for r in table["rank_in_category"]],
        move=[_move_text(m, lang) for m in table["movement"]],
    )
    columns = [
        Column("rank_in_category_whatif", "whatif.col.rank_whatif", "int"),
        Column("rank_in_category", "whatif.col.rank_now", "int"),
        Column("move", "whatif.col.movement"),
        Column("name", "person.col.name"),
        Column("department", "person.col.department"),
        Column("composite_score", "whatif.col.composite_now", "score"),
        Column("composite_score_whatif", "whatif.col.composite_whatif", "score"),
        Column("composite_change", "whatif.col.change", "score"),
    ]
    grid = compact(
        pc.grid(
            "results-whatif-grid",
            shown,
            columns,
            lang,
            page_size=10,
            class_rules={
                "move": {
                    "rank-up": "params.data.movement > 0",
                    "rank-down": "params.data.movement < 0",
                }
            },
            extra=("movement",),
        )
    )
    figure = rf.whatif_figure(table, t("whatif.figure", lang), lang)
    return html.Div(
        [
            dbc.Row(
                [dbc.Col(c) for c in cards], class_name="row-cols-2 row-cols-xl-4 g-2 stat-row"
            ),
            dbc.Tabs(
                [
                    dbc.Tab(grid, label=t("tab.table", lang), tab_id="table"),
                    dbc.Tab(
                        graph("results-whatif-graph", figure, modebar=True),
                        label=t("tab.chart", lang),
                        tab_id="chart",
                    ),
                ],
                active_tab="table",
                class_name="chart-tabs mt-3",
            ),
            pc.note(t("whatif.note", lang)),
        ]
    )


def whatif_table(
    path: Path,
    seeds: dict[str, pd.DataFrame],
    category: str,
    start: date,
    tried: dict[str, object],
    share: float | None,
) -> pd.DataFrame:
    """The category's people in the year: the warehouse's composite and rank, and those the
    weights tried would give (`scoring.rank_changes`)."""
    scores = rq.whatif_scores(path, category, "year", start)
    current = rq.whatif_current(path, category, "year", start)
    ratings = set(
        seeds["indicators"].loc[seeds["indicators"]["kind"] == "rating", "indicator_code"]
    )
    seed_weights = tried_weights(seeds, category, {})
    seed_qual_share, min_coverage = seed_share(seeds, category)
    baseline = scoring.composites(scores, seed_weights, ratings, seed_qual_share, min_coverage)
    share_tried = _number(share)
    weights = tried_weights(seeds, category, tried)
    qual_share = seed_qual_share if share_tried is None else min(max(share_tried, 0.0), 1.0)
    # The page opens on the seed's own weights: the what-if is then the baseline, not redone.
    if weights == seed_weights and qual_share == seed_qual_share:
        whatif = baseline
    else:
        whatif = scoring.composites(scores, weights, ratings, qual_share, min_coverage)
    return scoring.rank_changes(current, baseline, whatif)


def _move_text(movement: object, lang: str) -> str:
    if is_missing(movement):
        return t("person.kpi.not_ranked", lang)
    value = int(movement)  # type: ignore[call-overload]
    return f"▲ {value}" if value > 0 else f"▼ {-value}" if value < 0 else "—"
