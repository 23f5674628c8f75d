"""The blend of step 5 of the scoring method, redone in pandas for the methodology page.

The warehouse computes composites in SQL (`int_person_composites`); the methodology page needs
the same arithmetic with weights a reader is trying out, over the indicator scores the warehouse
already holds. Nothing here reads a weight: every weight, share and minimum comes in as an
argument, read from the seeds by the caller. `tests/dashboard/test_pages_reports.py` checks
that with the seeds' own weights this reproduces `marts.fct_person_scores` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

TIE_DECIMALS = 9


def effective_weights(
    weights: pd.DataFrame, indicators: pd.DataFrame, categories: pd.DataFrame
) -> pd.DataFrame:
    """The share of the composite each indicator carries when every indicator has a score.

    Quantitative weights × (1 − qualitative share) over the category's quantitative total;
    rating weights × the qualitative share over the rating total. `weights` is the
    indicator_weights seed, `indicators` and `categories` the indicators and role_categories
    seeds. One row per category × indicator with `is_qualitative` and `effective_weight` (0–1).
    """
    kinds = indicators.set_index("indicator_code")["kind"]
    shares = categories.set_index("role_category")["qualitative_share"].astype(float)
    frame = weights.assign(
        weight=weights["weight"].astype(float),
        is_qualitative=weights["indicator_code"].map(kinds).eq("rating"),
    )
    totals = frame.groupby(["role_category", "is_qualitative"])["weight"].transform("sum")
    share = frame["role_category"].map(shares)
    part = np.where(frame["is_qualitative"], share, 1 - share)
    frame["effective_weight"] = frame["weight"] / totals.replace(0, np.nan) * part
    return frame


def composites(
    scores: pd.DataFrame,
    weights: Mapping[str, float],
    qualitative: set[str],
    qualitative_share: float,
    min_coverage: float,
) -> pd.DataFrame:
    """Composite, coverage, sufficiency and rank of each person, as the warehouse computes them.

    `scores` has one row per person × indicator (`staff_id`, `indicator_code`, `score`, null
    where the indicator has no score); `weights` are the category's indicator weights and
    `qualitative` the codes among them that are ratings. Indicators not in `weights` do not
    count. Per person: the weighted mean of the quantitative scores present,
    the weighted mean of the rating scores present (a missing indicator's weight is thus
    re-spread over the others), blended at `qualitative_share` — or the one part present when
    the other is missing. Coverage is the weight of the quantitative indicators with a score over
    the category's quantitative weight; below `min_coverage` a person is not ranked.
    """
    w = {code: max(float(value or 0), 0.0) for code, value in weights.items()}
    frame = scores[scores["indicator_code"].isin(w)].copy()
    frame["weight"] = frame["indicator_code"].map(w)
    frame["is_qualitative"] = frame["indicator_code"].isin(qualitative)
    present = frame["score"].notna()
    frame["weighted"] = frame["score"].where(present, 0) * frame["weight"]
    frame["present_weight"] = frame["weight"].where(present, 0.0)

    parts = frame.groupby(["staff_id", "is_qualitative"])[["weighted", "present_weight"]].sum()
    means = (parts["weighted"] / parts["present_weight"].replace(0, np.nan)).unstack()
    means = means.reindex(columns=[False, True])
    people = pd.DataFrame(index=frame["staff_id"].drop_duplicates())
    people["quantitative_score"] = means[False].reindex(people.index)
    people["qualitative_score"] = means[True].reindex(people.index)

    share = float(qualitative_share)
    quant, qual = people["quantitative_score"], people["qualitative_score"]
    people["composite_score"] = np.where(
        quant.isna(), qual, np.where(qual.isna(), quant, (1 - share) * quant + share * qual)
    )
    quant_total = sum(v for code, v in w.items() if code not in qualitative)
    scored_quant = (
        frame[~frame["is_qualitative"]].groupby("staff_id")["present_weight"].sum()
    ).reindex(people.index, fill_value=0.0)
    people["quantitative_coverage"] = scored_quant / quant_total if quant_total > 0 else np.nan
    coverage = people["quantitative_coverage"]
    people["insufficient_data"] = coverage.isna() | (coverage < float(min_coverage))
    # Equal composites share a rank: summing in another order must not break a tie.
    ranked = people["composite_score"].round(TIE_DECIMALS).where(~people["insufficient_data"])
    people["rank_in_category"] = ranked.rank(method="min", ascending=False).astype("Int64")
    return people.reset_index()


def rank_changes(
    current: pd.DataFrame, baseline: pd.DataFrame, whatif: pd.DataFrame
) -> pd.DataFrame:
    """The people of `current` (`whatif_current`: the warehouse's composite and rank) with their
    what-if composite and rank, ordered by the what-if ranking.

    `movement` compares the what-if rank with `baseline`, the same computation with the seed's
    weights, so only the weights tried move anyone (positive: moves up).
    """
    keep = ["staff_id", "composite_score", "insufficient_data", "rank_in_category"]
    merged = current.merge(
        whatif[keep].rename(columns=lambda c: c if c == "staff_id" else f"{c}_whatif"),
        on="staff_id",
        how="left",
    ).merge(
        baseline[["staff_id", "rank_in_category"]].rename(
            columns={"rank_in_category": "rank_baseline"}
        ),
        on="staff_id",
        how="left",
    )
    merged["rank_in_category"] = merged["rank_in_category"].astype("Int64")
    merged["movement"] = merged["rank_baseline"] - merged["rank_in_category_whatif"]
    merged["composite_change"] = merged["composite_score_whatif"] - merged["composite_score"]
    return merged.sort_values(
        ["rank_in_category_whatif", "rank_in_category", "staff_id"], na_position="last"
    ).reset_index(drop=True)
