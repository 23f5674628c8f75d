"""Source definitions read from `ingest/mappings/*.toml`.

The header aliases are data so that a town whose system names a column differently can add an
alias to a TOML file instead of changing code.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from townperf.settings import MAPPINGS_DIR

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


@cache
def mappings(directory: Path = MAPPINGS_DIR) -> dict[str, SourceMapping]:
    """All source mappings, keyed by source name."""
    found = {}
    for path in sorted(directory.glob("*.toml")):
        mapping = _load(path)
        found[mapping.source] = mapping
    return found


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
