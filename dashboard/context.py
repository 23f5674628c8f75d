"""What a layout or callback needs to know about the app serving it."""

from __future__ import annotations

from pathlib import Path

import flask

from townperf.settings import Settings

SETTINGS_KEY = "TOWNPERF_SETTINGS"


def current_settings() -> Settings:
    return flask.current_app.config[SETTINGS_KEY]


def warehouse_path() -> Path:
    return current_settings().warehouse_path
