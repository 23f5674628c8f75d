"""Talking to the real app over HTTP as a browser would: the page router, every callback of the
app's callback map, and what comes back, decoded.

Dash answers in JSON that escapes every non-ASCII character (张三 travels as \\u5f20\\u4e09) and
sends downloads as base64: a search of the raw response text would never find a Chinese name nor
look inside a file. `strings_in` decodes all of it first.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator

import dash
import openpyxl

ROUTER_OUTPUT = "_pages_content"
ROLES = ("public", "staff", "office_head", "hr", "leader", "admin")
PASSWORD = "security-test-pw"


def client_as(app: dash.Dash, role: str, username: str | None = None):
    """A test client signed in through the real login form as `sec-<role>` (or `username`);
    anonymous for "public"."""
    client = app.server.test_client()
    if role != "public":
        name = username or f"sec-{role}"
        response = client.post("/login", data={"username": name, "password": PASSWORD})
        assert response.status_code == 302, (name, response.status_code)
    return client


def server_callbacks(app: dash.Dash) -> list[str]:
    """Every callback the server runs (clientside ones have no Python function), the router
    first: a new callback in any page is in this list without anyone adding it."""
    keys = [key for key, spec in app.callback_map.items() if spec.get("callback") is not None]
    return sorted(keys, key=lambda key: ROUTER_OUTPUT not in key)


def router_key(app: dash.Dash) -> str:
    return next(key for key in app.callback_map if ROUTER_OUTPUT in key)


def output_ids(key: str) -> list[str]:
    return [part.rsplit(".", 1)[0] for part in key.strip(".").split("...")]


def page_of(key: str) -> str:
    """The access-policy page a callback belongs to: the prefix of its output ids."""
    first = output_ids(key)[0]
    if first.startswith("{"):
        first = json.loads(first)["type"]
    return "_shell" if first.startswith("_pages") else first.split("-", 1)[0]


class Values:
    """What the browser knows: component id/property -> value, and the components of
    pattern-matching ids by their type, learned from the layouts and answers seen so far."""

    def __init__(self) -> None:
        self.props: dict[tuple[str, str], object] = {}
        self.patterns: dict[str, dict[str, dict]] = {}

    def learn(self, node: object) -> None:
        """Every component in a layout tree or a callback answer."""
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "id" in props:
                cid = props["id"]
                if isinstance(cid, str):
                    for prop, value in props.items():
                        self.props[(cid, prop)] = value
                elif isinstance(cid, dict) and "type" in cid:
                    key = json.dumps(cid, sort_keys=True)
                    self.patterns.setdefault(cid["type"], {})[key] = {"id": cid, **props}
            for value in node.values():
                self.learn(value)
        elif isinstance(node, list):
            for value in node:
                self.learn(value)

    def learn_answer(self, answer: dict) -> None:
        for cid, props in (answer.get("response") or {}).items():
            if isinstance(props, dict) and not cid.startswith("{"):
                for prop, value in props.items():
                    self.props[(cid, prop)] = value
        self.learn(answer)

    def item(self, spec: dict, overrides: dict[tuple[str, str], object]) -> dict | list[dict]:
        cid, prop = spec["id"], spec["property"]
        if cid.startswith("{"):
            kind = json.loads(cid)["type"]
            return [
                {"id": found["id"], "property": prop, "value": found.get(prop)}
                for found in self.patterns.get(kind, {}).values()
            ]
        if (cid, prop) in overrides:
            return {"id": cid, "property": prop, "value": overrides[(cid, prop)]}
        value = self.props.get((cid, prop))
        if prop == "n_clicks":
            value = (value or 0) + 1  # a button's callback runs when it is clicked
        return {"id": cid, "property": prop, "value": value}


def body(
    app: dash.Dash,
    key: str,
    values: Values | None = None,
    overrides: dict[tuple[str, str], object] | None = None,
) -> dict:
    """The JSON a browser posts to `/_dash-update-component` for callback `key`."""
    values = values or Values()
    overrides = overrides or {}
    spec = app.callback_map[key]
    outputs = [
        {"id": cid, "property": part.rsplit(".", 1)[1]}
        for cid, part in zip(output_ids(key), key.strip(".").split("..."), strict=True)
    ]
    inputs = [values.item(i, overrides) for i in spec.get("inputs", [])]
    state = [values.item(s, overrides) for s in spec.get("state", [])]
    first = spec["inputs"][0] if spec.get("inputs") else None
    changed = [f"{first['id']}.{first['property']}"] if first and "{" not in first["id"] else []
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }


def call(client, app, key, values=None, overrides=None):
    return client.post("/_dash-update-component", json=body(app, key, values, overrides))


def render(client, app, path: str, search: str = ""):
    """The page router's answer for `path`: the page layout, or the refusal the role gets."""
    overrides = {("_pages_location", "pathname"): path, ("_pages_location", "search"): search}
    return call(client, app, router_key(app), Values(), overrides)


# -- reading answers --------------------------------------------------------------------------


def strings_in(response) -> list[str]:
    """Every string an answer carries, decoded: JSON string values (keys too) and, for a
    download, the text of every cell of the xlsx or every field of the CSV it delivers."""
    data = response.get_data()
    if not data:
        return []
    try:
        parsed = json.loads(data)
    except ValueError:
        return [data.decode("utf-8", "replace")]
    found: list[str] = []
    for text in _strings(parsed):
        found.append(text)
    for download in downloads(parsed):
        found.extend(file_strings(download))
    return found


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def downloads(answer: object) -> list[dict]:
    """The `dcc.Download` payloads (`{"content", "filename", "base64"}`) in a callback answer."""
    found = []
    for props in (
        ((answer or {}).get("response") or {}).values() if isinstance(answer, dict) else []
    ):
        data = props.get("data") if isinstance(props, dict) else None
        if isinstance(data, dict) and "content" in data and "filename" in data:
            found.append(data)
    return found


def file_bytes(download: dict) -> bytes:
    content = download["content"]
    return base64.b64decode(content) if download.get("base64") else content.encode("utf-8")


def file_strings(download: dict) -> list[str]:
    """The text of every cell of a delivered xlsx, or every field of a delivered CSV."""
    raw = file_bytes(download)
    if download["filename"].endswith(".xlsx"):
        return [str(value) for value in xlsx_values(raw) if value is not None]
    text = raw.decode("utf-8-sig")
    return [field for row in csv.reader(io.StringIO(text)) for field in row]


def xlsx_values(raw: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def mentions(strings: list[str], needles: set[str]) -> set[str]:
    """Which of `needles` occur in any of the strings."""
    text = "\n".join(strings)
    return {needle for needle in needles if needle and needle in text}
