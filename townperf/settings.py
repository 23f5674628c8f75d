"""One settings object for the whole product, read from TOWNPERF_* environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
MAPPINGS_DIR = REPO_ROOT / "ingest" / "mappings"


class Settings(BaseSettings):
    """Where data lives and the knobs that are not business rules (those are dbt seeds)."""

    model_config = SettingsConfigDict(env_prefix="TOWNPERF_", extra="ignore")

    home: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8050
    secret_key: str | None = None
    production: bool = False
    # A refresh stops (exit 1, old warehouse serving) when a file has more than this share of
    # its rows quarantined: an export that bad is a wrong or broken file, not a few bad rows.
    max_quarantine_share: float = 0.5

    @cached_property
    def root(self) -> Path:
        return self.home.resolve()

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def data_docs(self) -> Path:
        """The great-expectations Data Docs of the latest runs, one folder each."""
        return self.root / "data_docs"

    def ensure_dirs(self) -> None:
        for path in (self.root, self.inbox, self.archive, self.logs):
            path.mkdir(parents=True, exist_ok=True)


def get_settings(home: Path | str | None = None) -> Settings:
    """Settings from the environment, with an explicit home (e.g. --home) taking precedence."""
    if home is not None:
        return Settings(home=Path(home))
    return Settings()
