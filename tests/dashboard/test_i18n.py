"""Every label exists in both languages; the language switch sets a cookie and goes back."""

from __future__ import annotations

import re

import flask
import pytest

from dashboard.i18n import (
    COOKIE,
    LABELS,
    LANGS,
    category_name,
    current_lang,
    pick,
    register_language_route,
    t,
    unit_name,
)


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_languages(key):
    entry = LABELS[key]
    assert set(entry) == set(LANGS), key
    assert all(entry[lang].strip() for lang in LANGS), key


def test_placeholders_agree_between_languages():
    for key, entry in LABELS.items():
        fields = {lang: set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS}
        # English month names replace the Chinese month number; otherwise the same fields.
        if key == "period.month":
            continue
        assert fields["zh"] == fields["en"], key


def test_chinese_is_the_default():
    assert current_lang() == "zh"
    assert t("page.overview") == "领导驾驶舱"
    assert t("page.overview", "en") == "Leadership overview"
    assert t("page.overview", "fr") == "领导驾驶舱"


def test_unknown_key_shows_itself():
    assert t("no.such.label", "en") == "no.such.label"


def test_job_categories_and_units_translate():
    assert [category_name(c, "en") for c in ("审批", "服务", "执法", "综合管理", "领导")] == [
        "Approval",
        "Service",
        "Enforcement",
        "Management",
        "Leadership",
    ]
    assert category_name("新类别", "en") == "新类别"
    assert unit_name("件当量", "en") == "case eq."
    assert unit_name("件当量", "zh") == "件当量"


def test_pick_uses_warehouse_names_with_chinese_fallback():
    row = {"name_zh": "审批按时办结率", "name_en": "Approvals on time"}
    assert pick(row, "name", "en") == "Approvals on time"
    assert pick(row, "name", "zh") == "审批按时办结率"
    assert pick({"name_zh": "新指标", "name_en": None}, "name", "en") == "新指标"


@pytest.fixture()
def client():
    server = flask.Flask("lang-test")
    register_language_route(server)

    @server.route("/which")
    def which():
        return current_lang()

    return server.test_client()


def test_language_route_sets_cookie_and_returns_to_the_page(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/rankings?p=2"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/rankings?p=2"
    assert f"{COOKIE}=en" in response.headers["Set-Cookie"]
    assert client.get("/which").text == "en"


def test_language_route_never_redirects_off_site_and_rejects_unknown_codes(client):
    response = client.get("/lang/xx", headers={"Referer": "http://evil.example/phish"})
    assert response.headers["Location"] == "/"
    assert f"{COOKIE}=zh" in response.headers["Set-Cookie"]
