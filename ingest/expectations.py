"""Row-level validation rules, one great-expectations suite per source, kept as code.

The column-level rules (required, allowed values, ranges) come from the mapping files; the
rules that relate two columns (nothing finishes before it starts) are listed here. Each failing
row is quarantined with the message of every rule it broke.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache

import pandas as pd

from ingest.mapping import SourceMapping
from ingest.parse import trim_reasons

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# (later column, earlier column): the later one may not be before the earlier one.
ORDER_RULES: dict[str, list[tuple[str, str]]] = {
    "approvals": [("completed_at", "received_at")],
    "tickets": [("responded_at", "created_at"), ("closed_at", "created_at")],
    "cases": [("decided_at", "filed_at"), ("closed_at", "filed_at")],
    "tasks": [("due_on", "assigned_on"), ("done_on", "assigned_on")],
    "actions": [("applied_on", "decided_on")],
    "feedback": [("resolved_on", "held_on")],
    "staff": [("left_on", "hired_on")],
}


def _label(mapping: SourceMapping, column: str) -> str:
    aliases = mapping.columns[column].aliases
    return f"{column} ({aliases[0]})" if aliases else column


def _rule(name: str, message: str, **kwargs):
    """An expectation carrying the reason a failing row is quarantined with."""
    import great_expectations as gx

    return getattr(gx.expectations, name)(meta={"message": message}, **kwargs)


def rules_for(mapping: SourceMapping) -> list:
    rules = []
    for col in mapping.columns.values():
        label = _label(mapping, col.name)
        if col.required:
            rules.append(
                _rule("ExpectColumnValuesToNotBeNull", f"missing {label}", column=col.name)
            )
        if col.type == "enum":
            rules.append(
                _rule(
                    "ExpectColumnValuesToBeInSet",
                    f"{label} not one of {'/'.join(col.values)}",
                    column=col.name,
                    value_set=list(col.values),
                )
            )
        if col.min is not None or col.max is not None:
            low = col.min if col.min is not None else "-∞"
            high = col.max if col.max is not None else "∞"
            rules.append(
                _rule(
                    "ExpectColumnValuesToBeBetween",
                    f"{label} outside {low}..{high}",
                    column=col.name,
                    min_value=col.min,
                    max_value=col.max,
                )
            )
    for later, earlier in ORDER_RULES.get(mapping.source, []):
        rules.append(
            _rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                f"{_label(mapping, later)} is before {_label(mapping, earlier)}",
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    return rules


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = ctx.data_sources.add_pandas("townperf").add_dataframe_asset("exports")
    return ctx, asset.add_batch_definition_whole_dataframe("whole")


_validations: dict[str, object] = {}


def _validation(mapping: SourceMapping):
    """One suite and validation definition per source, built on first use."""
    import great_expectations as gx

    if mapping.source in _validations:
        return _validations[mapping.source]
    source = mapping.source
    ctx, batch = _context()
    suite = ctx.suites.add(gx.ExpectationSuite(name=f"{source}_rows"))
    for rule in rules_for(mapping):
        suite.add_expectation(rule)
    definition = gx.ValidationDefinition(data=batch, suite=suite, name=f"{source}_validation")
    _validations[source] = definition
    return definition


@dataclass
class ValidationOutcome:
    reasons: pd.Series  # per row, '' when the row passed every rule
    checks: list[dict]  # one per rule: message, success, unexpected_count


def validate(typed: pd.DataFrame, mapping: SourceMapping) -> ValidationOutcome:
    """Run the source's suite over typed rows; return the reasons each row failed."""
    definition = _validation(mapping)
    frame = typed.reset_index(drop=True)
    # great-expectations compares with Python operators; nullable extension types hold pd.NA,
    # which does not compare, so hand it plain object / float columns.
    plain = frame.astype(
        {c: "float64" for c in frame.columns if str(frame[c].dtype) in ("Int64", "Float64")}
    )
    plain = plain.astype({c: object for c in plain.columns if plain[c].dtype == "string"})
    result = definition.run(
        batch_parameters={"dataframe": plain},
        result_format={"result_format": "COMPLETE"},
    )
    reasons = pd.Series("", index=frame.index, dtype=object)
    checks = []
    for res in result.results:
        message = (res.expectation_config.meta or {}).get("message", res.expectation_config.type)
        rows = res.result.get("unexpected_index_list") or []
        checks.append(
            {
                "expectation": res.expectation_config.type,
                "message": message,
                "success": bool(res.success),
                "unexpected_count": len(rows),
            }
        )
        if rows:
            idx = pd.Index(rows)
            reasons.loc[idx] = reasons.loc[idx] + message + "; "
    reasons.index = typed.index
    return ValidationOutcome(trim_reasons(reasons), checks)
