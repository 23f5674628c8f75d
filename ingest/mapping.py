"""Source definitions read from `ingest/mappings/*.toml`, plus a town's own aliases.

The header aliases are data so that a town whose system names a column differently can add an
alias to a TOML file instead of changing code. The shipped files define the columns; a file of
the same name in `$TOWNPERF_HOME/mappings/` may only add aliases to them (the raw tables and the
dbt models are built on the shipped columns), and survives an upgrade of the package.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from townperf.settings import MAPPINGS_DIR, get_settings

COLUMN_TYPES = {"string", "date", "datetime", "int", "decimal", "enum", "period"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class SourceMapping:
    source: str
    label_zh: str
    label_en: str
    key: tuple[str, ...]
    columns: dict[str, Column] = field(default_factory=dict)

    def header_lookup(self) -> dict[str, str]:
        """Normalised header text -> canonical column name (canonical names match themselves)."""
        lookup: dict[str, str] = {}
        for col in self.columns.values():
            lookup[normalise_header(col.name)] = col.name
            for alias in col.aliases:
                lookup[normalise_header(alias)] = col.name
        return lookup

    def known_headers(self) -> list[str]:
        return [a for c in self.columns.values() for a in (c.name, *c.aliases)]


_SPACE = re.compile(r"[\s\u3000]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "：": ":"})


def normalise_header(text: str) -> str:
    """Headers differ in spacing, full-width brackets and case between systems; ignore that."""
    return _SPACE.sub("", str(text)).translate(_BRACKETS).lower().lstrip("\ufeff")


def _load(path: Path) -> SourceMapping:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    columns = {}
    for name, spec in data["columns"].items():
        if spec["type"] not in COLUMN_TYPES:
            raise ValueError(f"{path.name}: column {name} has unknown type {spec['type']!r}")
        columns[name] = Column(
            name=name,
            type=spec["type"],
            required=spec.get("required", False),
            aliases=tuple(spec.get("aliases", ())),
            values=tuple(spec.get("values", ())),
            min=spec.get("min"),
            max=spec.get("max"),
        )
    return SourceMapping(
        source=data["source"],
        label_zh=data.get("label_zh", data["source"]),
        label_en=data.get("label_en", data["source"]),
        key=tuple(data["key"]),
        columns=columns,
    )


HOME_MAPPINGS = "mappings"  # $TOWNPERF_HOME/mappings/<source>.toml: the town's own aliases


class MappingError(ValueError):
    """A town's mapping file asks for more than aliases, or is not valid TOML."""


_home: Path | None = None


@contextlib.contextmanager
def home_mappings(root: Path) -> Iterator[None]:
    """Read the town's own alias files from this home (e.g. the CLI's --home) inside the block;
    outside it they come from the home of the environment (TOWNPERF_HOME, default ./data)."""
    global _home
    before, _home = _home, Path(root)
    try:
        yield
    finally:
        _home = before


def home_mappings_dir() -> Path:
    return (_home if _home is not None else get_settings().root) / HOME_MAPPINGS


def _extend(mapping: SourceMapping, path: Path) -> SourceMapping:
    """The shipped mapping with the aliases of a town's file added after the shipped ones (the
    first alias stays the one the generator writes and the messages name)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: cannot read: {exc}") from exc
    if data.get("source", mapping.source) != mapping.source:
        raise MappingError(
            f"{path}: says source {data['source']!r}; the file name says {mapping.source!r}"
        )
    extra = set(data) - {"source", "columns"}
    if extra:
        raise MappingError(
            f"{path}: only [columns.<name>] aliases can be added, not {', '.join(sorted(extra))}"
        )
    columns = dict(mapping.columns)
    for name, spec in data.get("columns", {}).items():
        if name not in columns:
            raise MappingError(
                f"{path}: {mapping.source} has no column {name!r} (columns: "
                f"{', '.join(columns)}); a town's file can only add aliases"
            )
        if (
            not isinstance(spec, dict)
            or set(spec) != {"aliases"}
            or not isinstance(spec["aliases"], list)
        ):
            raise MappingError(f'{path}: [columns.{name}] may only hold aliases = ["…"]')
        added = [str(a) for a in spec["aliases"] if str(a) not in columns[name].aliases]
        columns[name] = replace(columns[name], aliases=(*columns[name].aliases, *added))
    taken: dict[str, str] = {}
    for column in columns.values():
        for header in (column.name, *column.aliases):
            owner = taken.setdefault(normalise_header(header), column.name)
            if owner != column.name:
                raise MappingError(
                    f"{path}: header {header!r} would mean both {owner} and {column.name}"
                )
    return replace(mapping, columns=columns)


def _stamp(directory: Path) -> tuple:
    """What the cache is keyed on: a town's file edited while a process runs is seen."""
    if not directory.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*.toml"))
    )


@cache
def _mappings(directory: Path, extra: Path | None, stamp: tuple) -> dict[str, SourceMapping]:
    found = {}
    for path in sorted(directory.glob("*.toml")):
        mapping = _load(path)
        found[mapping.source] = mapping
    for name, *_ in stamp:
        path = extra / name
        if path.stem not in found:
            raise MappingError(
                f"{path}: no source {path.stem!r} (sources: {', '.join(found)}); name the file "
                "after the source whose aliases it extends"
            )
        found[path.stem] = _extend(found[path.stem], path)
    return found


def mappings(directory: Path = MAPPINGS_DIR) -> dict[str, SourceMapping]:
    """All source mappings, keyed by source name: the shipped ones (or those in `directory`)
    with the aliases of the town's own files in `$TOWNPERF_HOME/mappings/` added."""
    if directory != MAPPINGS_DIR:
        return _mappings(directory, None, ())
    extra = home_mappings_dir()
    return _mappings(directory, extra, _stamp(extra))


@dataclass(frozen=True)
class HeaderMatch:
    mapping: SourceMapping
    columns: dict[int, str]  # position in the file -> canonical column
    unknown: list[str]
    missing_required: list[str]

    @property
    def score(self) -> int:
        return len(self.columns)


def match_headers(headers: list[str], mapping: SourceMapping) -> HeaderMatch:
    lookup = mapping.header_lookup()
    columns: dict[int, str] = {}
    unknown = []
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            continue
        canonical = lookup.get(key)
        if canonical is None or canonical in columns.values():
            unknown.append(str(header))
        else:
            columns[pos] = canonical
    missing = [
        c.name for c in mapping.columns.values() if c.required and c.name not in columns.values()
    ]
    return HeaderMatch(mapping, columns, unknown, missing)


def detect_source(headers: list[str], source: str | None = None) -> HeaderMatch:
    """The source whose aliases cover most of the headers (or the one named by --source)."""
    candidates = [mappings()[source]] if source else list(mappings().values())
    matches = [match_headers(headers, m) for m in candidates]
    # Prefer complete matches (no required column missing), then the most matched columns.
    return max(matches, key=lambda m: (not m.missing_required, m.score, -len(m.unknown)))


def closest_headers(header: str, mapping: SourceMapping, n: int = 3) -> list[str]:
    return difflib.get_close_matches(str(header), mapping.known_headers(), n=n, cutoff=0.3)


def all_known_headers() -> set[str]:
    return {normalise_header(h) for m in mappings().values() for h in m.known_headers()}
