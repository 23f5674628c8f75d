"""Make a great-expectations Data Docs site readable with no internet and no scripts.

The pages GX writes load Bootstrap 4, jQuery, bootstrap-table, font-awesome and vega from
CDNs, and fill the index page's tables from a script. Town intranets reach no CDN, and the
dashboard serves these pages with scripts switched off, so each written page is rewritten:
the CDN tags go, Bootstrap comes from a copy inside the site (the one the dashboard serves),
the script-built tables are written out as plain HTML rows, what scripts would reveal
(collapsed details, tabs) is shown, and no http(s) address is left in any src, href or url().
"""

from __future__ import annotations

import ast
import html
import os
import re
import shutil
from pathlib import Path

from townperf.settings import REPO_ROOT

BOOTSTRAP_CSS = REPO_ROOT / "dashboard" / "assets" / "bootstrap.min.css"
LOCAL_BOOTSTRAP = "static/styles/bootstrap.min.css"
GX_LOGO = "static/images/logo-long.png"

# Shown instead of what the dropped scripts and icon font would have done.
OFFLINE_CSS = """
.collapse:not(.show) { display: block !important; }
.tab-content > .tab-pane { display: block !important; opacity: 1 !important; }
.fade:not(.show) { opacity: 1; }
.fixed-bottom, .ge-walkthrough-modal, .modal, #ge-cta-footer { display: none !important; }
.fas, .far, .fa { font-style: normal; }
.fa-check-circle::before, .fa-check::before { content: "\\2714"; }
.fa-times::before, .fa-times-circle::before { content: "\\2718"; }
.fa-exclamation-triangle::before { content: "\\26A0"; }
.fa-question-circle::before { content: "?"; }
.fa-comment::before { content: "\\2731"; }
.fa-info-circle::before { content: "i"; }
.cooltip .top { display: none; }
footer, .btn-group-toggle { display: none !important; }
table.ge-static-table { width: 100%; margin: 0.5rem 0; }
table.ge-static-table th, table.ge-static-table td { padding: 0.3rem 0.5rem;
  border-top: 1px solid #dee2e6; vertical-align: top; }
"""

_EXTERNAL = r"""\s*(?:https?:)?//"""
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF_EXTERNAL = re.compile(r"""\s(?:href|src)\s*=\s*(["']?)""" + _EXTERNAL, re.I)
_ATTR_EXTERNAL = re.compile(
    r"""(\s(?:href|src)\s*=\s*)(?:"(?:https?:)?//[^"]*"|'(?:https?:)?//[^']*'|(?:https?:)?//[^\s>]*)""",
    re.I,
)
_IMG_EXTERNAL = re.compile(r"<img\b[^>]*\ssrc\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
_CSS_URL_EXTERNAL = re.compile(r"""url\(\s*["']?(?:https?:)?//[^)]*\)""", re.I)
_BUTTON_ONCLICK = re.compile(r"<button\b[^>]*\sonclick=[^>]*>.*?</button\s*>", re.S | re.I)
_SCRIPTED_TABLE = re.compile(
    r"""<table\s+id="(?P<id>[^"]+)"(?P<attrs>[^>]*?)data-toggle="table"\s*>\s*</table>""", re.S
)
_TABLE_CALL = (
    r"""\$\('#{id}'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{{\s*columns:\s*(?P<columns>.*?),"""
    r"""\s*data:\s*(?P<data>.*?),\s*toolbar:\s*'[^']*'\s*\}},\s*(?P<options>\{{.*?\}})\s*\)\s*\);"""
)
_LOCAL_REF = re.compile(r"""(?:\s(?:href|src)\s*=\s*["']|url\(\s*["']?)(?P<ref>[^"'#?)\s]+)""")


def make_offline(site: Path) -> None:
    """Rewrite every page of the Data Docs site in `site` in place (see the module doc)."""
    has_bootstrap = BOOTSTRAP_CSS.is_file()
    if has_bootstrap:
        target = site / LOCAL_BOOTSTRAP
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BOOTSTRAP_CSS, target)
    for page in site.rglob("*.html"):
        root = os.path.relpath(site, page.parent).replace(os.sep, "/")
        prefix = "" if root == "." else root + "/"
        text = page.read_text(encoding="utf-8")
        page.write_text(offline_page(text, prefix, has_bootstrap), encoding="utf-8")
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        sheet.write_text(_CSS_URL_EXTERNAL.sub("none", text), encoding="utf-8")
    _drop_unused_static(site)


def offline_page(text: str, prefix: str, has_bootstrap: bool = True) -> str:
    """One page rewritten; `prefix` leads from the page's folder to the site root ('../..')."""
    text = _static_tables(text)
    text = _SCRIPT.sub("", text)
    text = _BUTTON_ONCLICK.sub("", text)
    text = _LINK.sub(lambda m: "" if _HREF_EXTERNAL.search(m.group(0)) else m.group(0), text)
    text = _IMG_EXTERNAL.sub(
        lambda m: (
            f'<img src="{prefix}{GX_LOGO}" alt="Great Expectations">'
            if "logo" in m.group(0)
            else ""
        ),
        text,
    )
    # links to greatexpectations.io and the like: keep the words, drop the address
    text = _ATTR_EXTERNAL.sub(r"\1" + '"#"', text)
    text = _CSS_URL_EXTERNAL.sub("none", text)
    head = f'<link rel="stylesheet" href="{prefix}{LOCAL_BOOTSTRAP}">\n' if has_bootstrap else ""
    # Bootstrap first, so the page's own styles (after it in <head>) still win
    text = re.sub(r"(<head\b[^>]*>)", lambda m: m.group(1) + "\n" + head, text, count=1, flags=re.I)
    text = re.sub(
        r"</head\s*>",
        lambda _m: f"<style>{OFFLINE_CSS}</style>\n</head>",
        text,
        count=1,
        flags=re.I,
    )
    return text


def _static_tables(text: str) -> str:
    """Fill each table that a bootstrap-table script would have filled with plain rows."""

    def fill(match: re.Match) -> str:
        table_id = match.group("id")
        call = re.search(_TABLE_CALL.format(id=re.escape(table_id)), text, re.S)
        if call is None:
            return match.group(0)
        try:
            columns = ast.literal_eval(call.group("columns"))
            data = ast.literal_eval(call.group("data"))
            options = ast.literal_eval(call.group("options"))
        except (ValueError, SyntaxError):
            return match.group(0)
        return _table_html(table_id, match.group("attrs"), columns, data, options)

    return _SCRIPTED_TABLE.sub(fill, text)


def _table_html(table_id: str, attrs: str, columns: list, data: list, options: dict) -> str:
    sort_field = options.get("sortName")
    for col in columns:
        if col.get("field") == sort_field and col.get("sortName"):
            sort_field = col["sortName"]
    if sort_field:
        data = sorted(
            data,
            key=lambda row: (row.get(sort_field) is None, str(row.get(sort_field, ""))),
            reverse=options.get("sortOrder") == "desc",
        )
    head = "".join(f"<th>{html.escape(str(c.get('title', '')))}</th>" for c in columns)
    rows = []
    for row in data:
        link = row.get("_table_row_link_path")
        cells = []
        for col in columns:
            value = str(row.get(col.get("field"), "") or "")
            if link and "<a " not in value:
                value = f'<a href="{html.escape(str(link), quote=True)}">{value}</a>'
            cells.append(f"<td>{value}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    classes = attrs.replace('class="', 'class="ge-static-table table ', 1)
    if "class=" not in classes:
        classes += ' class="ge-static-table table"'
    return (
        f'<table id="{table_id}"{classes}>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _drop_unused_static(site: Path) -> None:
    """GX copies megabytes of walkthrough images and fonts into every site: keep only the
    static files some page or stylesheet of this site refers to."""
    static = site / "static"
    if not static.is_dir():
        return
    used: set[Path] = set()
    for path in [*site.rglob("*.html"), *static.rglob("*.css")]:
        for match in _LOCAL_REF.finditer(path.read_text(encoding="utf-8")):
            ref = match.group("ref")
            if ":" in ref:
                continue
            used.add((path.parent / ref).resolve())
    for path in sorted(static.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in used:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
