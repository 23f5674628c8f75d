"""The great-expectations Data Docs of each refresh: written by the real pipeline (also when the
validation gate stops the run), readable with no internet, served only to the roles of the
data-status page, and linked from that page."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.auth import PAGE_ROLES
from dashboard.data_docs import DOCS_POLICY
from tests.dashboard.conftest import _walk, page_module
from tests.helpers import signed_in
from tests.refresh.refresh_support import BATCH_B, copy_home
from townperf import datadocs, pipeline, users
from townperf.settings import get_settings
from warehouse.store import connect_read

ROLES = ("public", "staff", "office_head", "hr", "leader", "admin")
PASSWORD = "docs-test-password"
EXTERNAL_REF = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?)(?:https?:)?//""", re.I
)
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "bootstrapcdn.com",
    "code.jquery.com",
    "amazonaws.com",
)
APPROVALS_HEADER = (
    "办件编号,事项编码,事项名称,承办人工号,受理时间,办结时间,承诺时限,办件状态,渠道,评价"
)
ORDER_MESSAGE = "completed_at (办结时间) is before received_at (受理时间)"


def _finished_before_received() -> str:
    """20 approval cases, 15 of them finished (05-20) before they were received (05-25)."""
    rows = [
        f"GSP2025060{i:02d},SP004,农村宅基地建房审批,G0012,"
        f"{'2025-05-25 09:00:00' if i < 15 else '2025-05-06 14:22:49'},2025-05-20 08:52:57,20,"
        "办结,网上,满意"
        for i in range(20)
    ]
    return "\n".join([APPROVALS_HEADER, *rows]) + "\n"


def _validation_pages(site: Path) -> dict[str, list[Path]]:
    """suite name -> its validation result pages."""
    pages: dict[str, list[Path]] = {}
    for page in (site / "validations").rglob("*.html"):
        suite = page.relative_to(site / "validations").parts[0]
        pages.setdefault(suite, []).append(page)
    return pages


@pytest.fixture(scope="module")
def docs_home(tmp_path_factory, baseline_home, small_exports):
    """A baseline home after one more successful refresh (BATCH_B), in this same process."""
    home = copy_home(
        baseline_home, small_exports, tmp_path_factory.mktemp("docs") / "home", BATCH_B
    )
    report = pipeline.refresh(get_settings(home))
    assert report.status == "success", report.error
    return home, report


def test_a_refresh_writes_the_data_docs_of_its_own_validations(docs_home):
    home, report = docs_home
    settings = get_settings(home)
    assert report.data_docs == report.run_id
    site = settings.data_docs / report.run_id
    index = (site / "index.html").read_text(encoding="utf-8")

    # one validation page per source loaded by this run, and none of the baseline's
    # (the baseline refresh ran in this process too, through the same GX context)
    pages = _validation_pages(site)
    assert sorted(pages) == ["approvals_rows", "staff_rows", "tickets_rows"]
    assert all(len(found) == 1 for found in pages.values()), pages
    for found in pages.values():
        assert found[0].relative_to(site).as_posix() in index  # the index lists it, as plain HTML

    # each page names every check by the message the quarantine uses, as raw.validation_results
    con = connect_read(settings.warehouse_path)
    try:
        checks = con.execute(
            "select distinct v.source, v.message from raw.validation_results v"
            " join raw.loads l using (load_id) where l.file_name in (?, ?, ?)",
            list(BATCH_B),
        ).fetchall()
    finally:
        con.close()
    assert len(checks) > 10
    for source, message in checks:
        text = pages[f"{source}_rows"][0].read_text(encoding="utf-8")
        assert message in text, (source, message)

    # the history records the folder; the served warehouse's run record too
    last = pipeline.read_history(settings)[0]
    assert last["run_id"] == report.run_id and last["data_docs"] == report.run_id


def test_data_docs_need_no_internet(docs_home):
    home, report = docs_home
    site = get_settings(home).data_docs / report.run_id
    files = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.name == "bootstrap.min.css" for p in files)  # the copy the dashboard serves
    for path in files:
        if path.suffix not in (".html", ".css", ".js", ".svg"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not EXTERNAL_REF.search(text), (path, EXTERNAL_REF.search(text).group(0))
        assert not any(host in text for host in CDN_HOSTS), path
        if path.suffix == ".html":
            assert "<script" not in text.lower(), path
            assert 'href="static/styles/bootstrap.min.css"' in text or (
                "/static/styles/bootstrap.min.css" in text
            ), path
    # GX's walkthrough images and fonts are not copied into every run
    assert sum(p.stat().st_size for p in files) < 2_000_000


def test_a_run_stopped_by_the_gate_still_writes_docs_showing_the_failing_check(make_home):
    home = make_home(["staff_2025Q1.xlsx"])
    (home / "inbox" / "late_approvals.csv").write_text(_finished_before_received(), "utf-8")

    report = pipeline.refresh(get_settings(home))

    assert report.status == "validation_failed"
    assert any("late_approvals.csv" in problem for problem in report.problems)
    assert report.data_docs == report.run_id
    pages = _validation_pages(get_settings(home).data_docs / report.run_id)
    assert sorted(pages) == ["approvals_rows", "staff_rows"]
    text = pages["approvals_rows"][0].read_text(encoding="utf-8")
    assert ORDER_MESSAGE in text
    assert "15 unexpected values found" in text
    assert pipeline.read_history(get_settings(home))[0]["data_docs"] == report.run_id


def test_only_the_newest_docs_folders_are_kept(tmp_path):
    settings = get_settings(tmp_path)
    for i in range(datadocs.KEEP + 3):
        folder = settings.data_docs / f"run{i:02d}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("docs")
        stamp = 1_700_000_000 + i
        os.utime(folder, (stamp, stamp))
    (settings.data_docs / ".run99.tmp").mkdir()  # what a killed run leaves

    removed = datadocs.prune(settings)

    assert sorted(removed) == ["run00", "run01", "run02"]
    kept = [p.name for p in datadocs.available(settings)]
    assert kept == [f"run{i:02d}" for i in range(datadocs.KEEP + 2, 2, -1)]
    assert not (settings.data_docs / ".run99.tmp").exists()


def test_a_docs_failure_never_fails_the_refresh(make_home, monkeypatch):
    import ingest.expectations

    def broken(_directory):
        raise OSError("disk full")

    monkeypatch.setattr(ingest.expectations, "publish_docs", broken)
    home = make_home(["staff_2025Q1.xlsx"])

    report = pipeline.refresh(get_settings(home))

    assert report.status == "success", report.error
    assert report.data_docs is None
    assert any("Data Docs not written" in w and "disk full" in w for w in report.warnings)


# -- served by the dashboard ------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs_app(docs_home):
    home, report = docs_home
    (home / "secret_key").write_text("do-not-serve-" + "0" * 40)
    for role in ROLES[1:]:
        extra = {"staff": {"staff_id": "G0001"}, "office_head": {"office": "党政办"}}
        users.add_user(home, f"docs-{role}", PASSWORD, role, **extra.get(role, {}))
    return create_app(get_settings(home)), report


def _client(app, role: str):
    client = app.server.test_client()
    if role != "public":
        response = client.post("/login", data={"username": f"docs-{role}", "password": PASSWORD})
        assert response.status_code == 302, role
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_docs_are_served_only_to_the_roles_of_the_data_page(docs_app, role):
    app, report = docs_app
    url = f"/data-docs/{report.run_id}/index.html"
    response = _client(app, role).get(url)
    if role in PAGE_ROLES["data"]:
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "validations/approvals_rows/" in body
        assert response.mimetype == "text/html"
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    elif role == "public":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=/data-docs/")
    else:
        assert response.status_code == 403
        assert "validations/" not in response.get_data(as_text=True)


def test_every_page_of_the_docs_is_served_to_an_admin(docs_app, docs_home):
    app, report = docs_app
    home, _ = docs_home
    site = get_settings(home).data_docs / report.run_id
    client = _client(app, "admin")
    assert client.get(f"/data-docs/{report.run_id}/").status_code == 200  # the index
    for path in site.rglob("*"):
        if path.is_file():
            sub = path.relative_to(site).as_posix()
            response = client.get(f"/data-docs/{report.run_id}/{sub}")
            assert response.status_code == 200, sub
            assert response.get_data() == path.read_bytes(), sub
    pages = {
        e["detail"]
        for e in users.audit_entries(home)
        if e["username"] == "docs-admin" and e["action"] == "view_data_docs"
    }
    assert f"{report.run_id}/index.html" in pages
    assert any("/validations/" in page for page in pages)
    assert not any(page.endswith((".css", ".png")) for page in pages)


@pytest.mark.parametrize(
    "path",
    [
        "/data-docs/{run}/../../secret_key",
        "/data-docs/{run}/..%2F..%2Fsecret_key",
        "/data-docs/{run}/%2e%2e/%2e%2e/secret_key",
        "/data-docs/{run}/validations/../../../secret_key",
        "/data-docs/%2e%2e/secret_key",
        "/data-docs/.{run}/index.html",
    ],
)
def test_no_path_leaves_the_docs_folder(docs_app, path):
    """Each of these reaches the docs route (the file names stay as sent) and is refused."""
    app, report = docs_app
    response = _client(app, "admin").get(path.format(run=report.run_id))
    assert response.status_code == 404, path
    assert "do-not-serve" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/data-docs/{run}/%2Fetc%2Fpasswd", "/data-docs/..%2F/secret_key"]
)
def test_absolute_and_slashed_paths_serve_no_file(docs_app, path):
    """Werkzeug merges the doubled slash and redirects; no file comes back either way."""
    app, report = docs_app
    response = _client(app, "admin").get(path.format(run=report.run_id), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "do-not-serve" not in body and "root:x:0:0" not in body
    assert response.headers["Content-Security-Policy"] != DOCS_POLICY or (
        response.status_code == 404
    )


def test_the_data_page_links_each_runs_docs(docs_app, docs_home):
    app, report = docs_app
    home, _ = docs_home
    settings = get_settings(home)
    history = pipeline.read_history(settings)
    with_docs = {r["run_id"] for r in history if r.get("data_docs")}
    assert report.run_id in with_docs and len(with_docs) == 2  # the baseline's run and this one
    module = page_module("/data")
    for lang, label in (("zh", "查看最近一次校验报告"), ("en", "Open the latest Data Docs")):
        with (
            app.server.test_request_context("/", headers={"Cookie": f"lang={lang}"}),
            signed_in("admin"),
        ):
            layout = module.layout()
        nodes = list(_walk(layout))
        latest = next(n for n in nodes if getattr(n, "id", None) == "data-docs-latest")
        assert latest.href == f"/data-docs/{report.run_id}/index.html"
        assert label in latest.children
        grid = next(n for n in nodes if getattr(n, "id", None) == "data-history-grid")
        links = {row["docs"] for row in grid.rowData if row.get("docs")}
        assert links == {
            f"[{'查看' if lang == 'zh' else 'Open'}](/data-docs/{run}/index.html)"
            for run in with_docs
        }
        docs_column = next(c for c in grid.columnDefs if c["field"] == "docs")
        assert docs_column.get("cellRenderer") == "markdown"


def test_a_pruned_runs_link_is_gone_from_the_data_page(docs_app, docs_home, tmp_path):
    app, report = docs_app
    home, _ = docs_home
    site = get_settings(home).data_docs / report.run_id
    moved = tmp_path / "moved"
    shutil.move(site, moved)
    try:
        with app.server.test_request_context("/"), signed_in("admin"):
            layout = page_module("/data").layout()
        grid = next(n for n in _walk(layout) if getattr(n, "id", None) == "data-history-grid")
        assert not any(report.run_id in (row.get("docs") or "") for row in grid.rowData)
        latest = next(n for n in _walk(layout) if getattr(n, "id", None) == "data-docs-latest")
        assert report.run_id not in latest.href
    finally:
        shutil.move(moved, site)
