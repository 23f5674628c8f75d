"""Row-level validation rules, one great-expectations suite per source, kept as code.

The column-level rules (required, allowed values, ranges) come from the mapping files; the
rules that relate two columns (nothing finishes before it starts) are listed here. Each failing
row is quarantined with the message of every rule it broke.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import sys
import tempfile
import threading
import types
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


# Imported by great-expectations at start-up only for the one expectation whose module needs
# them (KL divergence: scipy.stats and altair), which no suite here uses: over a second of a
# 2.7 s import, paid by every ingest, the larger part of a small daily refresh's ingest.
DEFERRED_IMPORTS = ("scipy.stats", "altair")
_import_lock = threading.Lock()


def import_gx():
    """great_expectations, with `DEFERRED_IMPORTS` standing in as empty modules that import
    the real one on first attribute read (stdlib LazyLoader would not do: the `import`
    statement reads a module's `__spec__`, which loads a lazy module at once)."""
    with _import_lock:
        if "great_expectations" not in sys.modules:
            for name in DEFERRED_IMPORTS:
                if name not in sys.modules:
                    sys.modules[name] = _Deferred(name)
        import great_expectations

    return great_expectations


class _Deferred(types.ModuleType):
    """A module that imports its real self when something of it is first read."""

    def __getattr__(self, attr: str):
        real = self.__dict__.get("_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_real"] = real
        return getattr(real, attr)


def _rule(name: str, message: str, **kwargs):
    """An expectation carrying the reason a failing row is quarantined with (as its
    description too, so Data Docs name each check by the message the quarantine uses)."""
    gx = import_gx()

    return getattr(gx.expectations, name)(meta={"message": message}, description=message, **kwargs)


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


def prefetch() -> None:
    """Import great-expectations on another thread while the first files are read and parsed.

    The import alone takes seconds (a fixed cost of every ingest, a large part of a small
    daily refresh); reading and parsing are mostly C code that leaves the second core free."""
    if "great_expectations" in sys.modules:
        return

    def load() -> None:
        # on failure the import is retried, and its error raised, where it is needed
        with contextlib.suppress(Exception):
            import_gx()

    threading.Thread(target=load, name="gx-import", daemon=True).start()


@cache
def _context():
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # GX fingerprints every in-memory batch under 1 GB with an md5 of the whole frame, a batch
    # marker nothing here reads (a file is known by its sha256); on a county file that hash
    # cost a third of the suite's time.
    pandas_execution_engine.HASH_THRESHOLD = 0
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = ctx.data_sources.add_pandas("townperf").add_dataframe_asset("exports")
    return ctx, asset.add_batch_definition_whole_dataframe("whole")


_validations: dict[str, object] = {}


def _validation(mapping: SourceMapping):
    """One suite and validation definition per source, built on first use."""
    gx = import_gx()

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
    # (store key, result) of a validation run in another process, for `adopt` to document
    shipped: tuple | None = None


def _nan_marks_missing(dtype) -> bool:
    na_value = getattr(dtype, "na_value", None)
    return isinstance(na_value, float) and na_value != na_value


def validate(typed: pd.DataFrame, mapping: SourceMapping, ship: bool = False) -> ValidationOutcome:
    """Run the source's suite over typed rows; return the reasons each row failed.

    With `ship` (a reader process validating a large file), the result is taken out of this
    process's store and returned, so the process that writes the rows documents it (`adopt`).
    """
    definition = _validation(mapping)
    store = _context()[0].validation_results_store
    before = set(store.list_keys()) if ship else None
    frame = typed.reset_index(drop=True)
    # great-expectations compares with Python operators; nullable extension types hold pd.NA,
    # which does not compare, so hand it float columns and object strings. pandas' own text
    # type marks a missing value with NaN, which compares: those columns stay as they are
    # (turning millions of cells into Python strings was a third of the suite's time).
    plain = frame.astype(
        {c: "float64" for c in frame.columns if str(frame[c].dtype) in ("Int64", "Float64")}
    )
    plain = plain.astype(
        {
            c: object
            for c in plain.columns
            if plain[c].dtype == "string" and not _nan_marks_missing(plain[c].dtype)
        }
    )
    result = definition.run(
        batch_parameters={"dataframe": plain},
        # every failing row's index, for its quarantine reason; not the "query" great-expectations
        # also builds from them (a `df.filter(items=[…])` string per rule, unused, and kept
        # in the Data Docs)
        result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
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
    shipped = None
    if before is not None:
        (key,) = set(store.list_keys()) - before
        store.remove_key(key)
        shipped = (key, result)
    return ValidationOutcome(trim_reasons(reasons), checks, shipped)


def adopt(shipped: tuple, mapping: SourceMapping) -> None:
    """Keep a validation run in a reader process among this run's, for the Data Docs."""
    key, result = shipped
    _validation(mapping)  # the suite, which the docs show beside its results
    _context()[0].validation_results_store.store_validation_results(
        suite_validation_result=result,
        suite_validation_result_identifier=key,
        expectation_suite_identifier=key.expectation_suite_identifier,
    )


# -- Data Docs --------------------------------------------------------------------------------


def start_run() -> None:
    """Begin a new ingest run: forget the validation results of earlier runs in this process,
    so the Data Docs of this run show its validations only. Imports nothing when no suite ran
    yet in this process."""
    if _context.cache_info().currsize == 0:
        return
    ctx, _ = _context()
    store = ctx.validation_results_store
    for key in store.list_keys():
        store.remove_key(key)


def validated_in_run() -> int:
    """How many validations ran since `start_run` (0 when no suite ran in this process)."""
    if _context.cache_info().currsize == 0:
        return 0
    ctx, _ = _context()
    return len(ctx.validation_results_store.list_keys())


def publish_docs(directory: Path) -> Path | None:
    """Write the great-expectations Data Docs of this run's validations into `directory`.

    The site is built in a hidden folder beside `directory` and renamed into place, so
    `directory` is either absent or complete; an existing `directory` is replaced. The pages
    need no internet (see `ingest.offline_docs`). Returns the path of the site's index page,
    or None (writing nothing) when no validation ran in this run.
    """
    if not validated_in_run():
        return None
    from ingest.offline_docs import make_offline

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    ctx, _ = _context()
    site_name = "townperf"
    try:
        ctx.add_data_docs_site(
            site_name=site_name,
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(work),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "show_cta_footer": False,
                },
            },
        )
        try:
            ctx.build_data_docs(site_names=[site_name])
        finally:
            ctx.delete_data_docs_site(site_name)
        make_offline(work)
        work.chmod(0o755)  # mkdtemp makes it private to this user; the dashboard may be another
        if directory.exists():
            shutil.rmtree(directory)
        os.rename(work, directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return directory / "index.html"
