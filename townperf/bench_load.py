"""Dashboard latency under concurrent clients, as `townperf bench` measures it.

The dashboard is served the production way (gunicorn with the repository's `gunicorn.conf.py`,
as the README deploys it: sync workers, one per core unless told) on 127.0.0.1 and a free
port. A signed-in leader's session drives it with plain HTTP, as the browser would: the page
router callback renders each page's layout (`/_dash-update-component` with the page's path),
and each of the page's own callbacks is fired with values taken from the options the layout
offers. Callbacks are found at run time from `/_dash-dependencies` and the rendered
layouts, so pages added later are measured without changing the bench; a page that is not
there (yet) is reported as missing rather than counted as an error.

N clients then loop for a fixed time, each on its own connection (kept alive where the server
keeps it; sync workers close it after each answer, so a client pays a new one), every request
timed; anything but a 2xx answer (or no answer within the timeout) is an error.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from townperf.settings import REPO_ROOT

# page key (the prefix of its component ids) -> path
PAGES = {"overview": "/", "rankings": "/rankings", "people": "/people"}
BENCH_USER = "bench-leader"
TIMEOUT_S = 30.0
# What a reader types into a dropdown that searches on the server (the HR drill-down of more
# than 500 people): staff ids have digits, so each term matches some of them.
SEARCH_TERMS = tuple(f"{n:02d}" for n in range(3, 100, 7))
# People sampled to learn the periods a drill-down view is asked for (`_chained_choices`).
CHAINED_SAMPLES = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path
    log_start: int = 0  # where this server's lines begin in the (appended) log


@contextmanager
def dashboard_server(home: Path, workers: int | None = None) -> Iterator[Server]:
    """gunicorn serving the dashboard of `home` on 127.0.0.1 as `gunicorn.conf.py` sets it up
    (`workers` overrides its count), stopped on exit."""
    port = free_port()
    log = home / "logs" / "bench-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "TOWNPERF_HOME": str(home),
        "TOWNPERF_SECRET_KEY": secrets.token_hex(32),
        # as the README deploys it: production mode, whose workers share one answer cache
        "TOWNPERF_PRODUCTION": "1",
        "DO_NOT_TRACK": "1",
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(REPO_ROOT / "gunicorn.conf.py"),  # as the README serves it: its workers, no banner
        "--no-control-socket",  # gunicorn 27's shared ~/.gunicorn socket: two benches would clash
        *(["--workers", str(workers)] if workers else []),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "dashboard.app:server",
    ]
    with log.open("ab") as fh:
        start = fh.tell()
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=fh, stderr=fh)
    server = Server(port, proc, log, start)
    try:
        _wait_ready(server)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see {server.log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"dashboard not answering after {timeout:.0f}s; see {server.log}")


def login(port: int, username: str, password: str) -> str:
    """The session cookie of a signed-in user."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    body = urllib.parse.urlencode({"username": username, "password": password})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    conn.close()
    if response.status not in (302, 303) or not cookies:
        raise RuntimeError(f"login as {username} failed: HTTP {response.status}")
    return "; ".join(c.split(";", 1)[0] for c in cookies)


# -- finding what to request ------------------------------------------------------------------


@dataclass
class Scenario:
    """One kind of request: a page render or one of a page's callbacks."""

    page: str
    name: str
    output: str
    outputs: object
    inputs: list[dict]  # id, property, choices (one is picked per request)
    state: list[dict]
    changed: str

    def body(self, rng: random.Random) -> bytes:
        def pick(items: list[dict]) -> list[dict]:
            return [
                {"id": i["id"], "property": i["property"], "value": rng.choice(i["choices"])}
                for i in items
            ]

        return json.dumps(
            {
                "output": self.output,
                "outputs": self.outputs,
                "inputs": pick(self.inputs),
                "changedPropIds": [self.changed],
                "state": pick(self.state),
            }
        ).encode()


def _outputs(output: str) -> object:
    def one(text: str) -> dict:
        component, prop = text.rsplit(".", 1)
        return {"id": component, "property": prop}

    if output.startswith(".."):
        return [one(part) for part in output.strip(".").split("...")]
    return one(output)


def _components(layout: object) -> dict[str, dict]:
    """Every component of a layout (Dash's JSON form) that has a plain string id, by id."""
    found: dict[str, dict] = {}
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                stack.extend(v for v in props.values() if isinstance(v, (list, dict)))
    return found


def _choices(props: dict, prop: str) -> list:
    if prop == "value" and isinstance(props.get("options"), list) and props["options"]:
        values = [o.get("value") if isinstance(o, dict) else o for o in props["options"]]
        values = [v for v in values if v is not None]
        if values:
            return values
    return [props.get(prop)]


def _is_export(targets: list[dict]) -> bool:
    """A file download (dcc.Download) answers an export click, not a page view: not measured."""
    return any(t["property"] == "data" and str(t["id"]).endswith("download") for t in targets)


class Client:
    """One connection with the session cookie, opened again when the server closed it."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = cookie
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Cookie": self.cookie}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
            try:
                self.conn.request("POST", path, body, headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed an idle keep-alive connection: reconnect once
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


UPDATE = "/_dash-update-component"


def discover(port: int, cookie: str, pages: dict[str, str] = PAGES) -> tuple[list, dict]:
    """The scenarios for each page that exists, and {page: why it is not measured}."""
    client = Client(port, cookie)
    status, raw = client.get("/_dash-dependencies")
    if status != 200:
        raise RuntimeError(f"/_dash-dependencies answered HTTP {status}")
    deps = json.loads(raw)
    router = next((d for d in deps if "_pages_content.children" in d["output"]), None)
    if router is None:
        raise RuntimeError("no Dash Pages router callback in /_dash-dependencies")
    scenarios: list[Scenario] = []
    missing: dict[str, str] = {}
    for page, path in pages.items():
        render = Scenario(
            page,
            f"{page}: render {path}",
            router["output"],
            _outputs(router["output"]),
            [
                {
                    "id": i["id"],
                    "property": i["property"],
                    "choices": [path if i["property"] == "pathname" else ""],
                }
                for i in router["inputs"]
            ],
            [
                {"id": s["id"], "property": s["property"], "choices": [None]}
                for s in router.get("state", [])
            ],
            f"{router['inputs'][0]['id']}.{router['inputs'][0]['property']}",
        )
        status, raw = client.post(UPDATE, render.body(random.Random(0)))
        if status != 200:
            missing[page] = f"render of {path} answered HTTP {status}"
            continue
        layout = json.loads(raw)["response"]["_pages_content"]["children"]
        components = _components(layout)
        if not any(cid.startswith(f"{page}-") for cid in components):
            missing[page] = f"no page at {path} (no component id starts with '{page}-')"
            continue
        scenarios.append(render)
        _search_choices(client, deps, components, page)
        _chained_choices(client, deps, components, page)
        for dep in deps:
            outputs = _outputs(dep["output"])
            targets = outputs if isinstance(outputs, list) else [outputs]
            if not all(str(t["id"]).startswith(f"{page}-") for t in targets):
                continue
            if dep.get("clientside_function") or _is_export(targets):
                continue
            wanted = dep["inputs"] + dep.get("state", [])
            if not all(isinstance(w["id"], str) and w["id"] in components for w in wanted):
                continue
            scenarios.append(
                Scenario(
                    page,
                    f"{page}: {dep['output'].strip('.')}",
                    dep["output"],
                    outputs,
                    [
                        {
                            **i,
                            "choices": list(SEARCH_TERMS)
                            if i["property"] == "search_value"
                            else _choices(components[i["id"]], i["property"]),
                        }
                        for i in dep["inputs"]
                    ],
                    [
                        {**s, "choices": [components[s["id"]].get(s["property"])]}
                        for s in dep.get("state", [])
                    ],
                    f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}",
                )
            )
    client.close()
    return scenarios, missing


def _search_choices(client: Client, deps: list[dict], components: dict, page: str) -> None:
    """A dropdown searched on the server offers only the person shown until one types: ask its
    search callback for `SEARCH_TERMS`, as a reader typing would, and offer what it found, so
    the views behind it (a county's drill-down) are measured as a town's are."""
    for dep in deps:
        target = _outputs(dep["output"])
        if isinstance(target, list) or target["property"] != "options":
            continue
        cid = target["id"]
        searched = any(i["id"] == cid and i["property"] == "search_value" for i in dep["inputs"])
        if not (searched and isinstance(cid, str) and cid.startswith(f"{page}-")):
            continue
        wanted = dep["inputs"] + dep.get("state", [])
        if cid not in components or not all(w["id"] in components for w in wanted):
            continue
        found: dict = {}
        for term in SEARCH_TERMS:
            answer = _ask(client, dep, target, components, (cid, "search_value"), term)
            options = answer.get(cid, {}).get("options") or []
            found.update({o["value"]: o for o in options if isinstance(o, dict)})
        if found:
            components[cid] = {**components[cid], "options": list(found.values())}


def _chained_choices(client: Client, deps: list[dict], components: dict, page: str) -> None:
    """A control whose options and value a callback sets from another control (the
    drill-down's period, from the person picked) is empty in the layout, so the views behind
    it would be measured without a choice (a person with no period: no indicators, no
    records). Ask that callback for `CHAINED_SAMPLES` picks of its first input, as a reader
    picking would, and offer the values it chose (each person's default period)."""
    rng = random.Random(0)
    for dep in deps:
        outputs = _outputs(dep["output"])
        if not isinstance(outputs, list):
            continue
        set_by_dep = {(o["id"], o["property"]) for o in outputs}
        wanted = dep["inputs"] + dep.get("state", [])
        if not all(isinstance(w["id"], str) and w["id"] in components for w in wanted):
            continue
        first = dep["inputs"][0]
        for cid in {o["id"] for o in outputs}:
            if not (isinstance(cid, str) and cid.startswith(f"{page}-") and cid in components):
                continue
            if not {(cid, "options"), (cid, "value")} <= set_by_dep:
                continue
            if components[cid].get("options"):
                continue
            picked: list = []
            for _ in range(CHAINED_SAMPLES):
                choice = rng.choice(_choices(components[first["id"]], first["property"]))
                answer = _ask(
                    client, dep, outputs, components, (first["id"], first["property"]), choice
                )
                value = answer.get(cid, {}).get("value")
                if value is not None and value not in picked:
                    picked.append(value)
            if picked:
                options = [{"label": str(v), "value": v} for v in picked]
                components[cid] = {**components[cid], "options": options}


def _ask(
    client: Client,
    dep: dict,
    outputs: object,
    components: dict,
    changed: tuple[str, str],
    value: object,
) -> dict:
    """A callback's answer ({component id: {property: value}}, empty on failure) when the input
    `changed` takes `value` and every other input and state keeps the layout's value."""

    def values(items: list[dict]) -> list[dict]:
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": value
                if (i["id"], i["property"]) == changed
                else components[i["id"]].get(i["property"]),
            }
            for i in items
        ]

    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": values(dep["inputs"]),
        "changedPropIds": [f"{changed[0]}.{changed[1]}"],
        "state": values(dep.get("state", [])),
    }
    status, raw = client.post(UPDATE, json.dumps(body).encode())
    return json.loads(raw).get("response", {}) if status == 200 and raw else {}


# -- the load loop ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)  # per page
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0


def run_load(
    port: int,
    cookie: str,
    scenarios: list[Scenario],
    clients: int,
    duration_s: float,
    think_s: float = 0.0,
    seed: int = 0,
) -> LoadResult:
    """`clients` threads, each looping over the scenarios in its own random order until the
    time is up; one warm-up pass over every scenario first, not counted."""
    warm = Client(port, cookie)
    for scenario in scenarios:
        warm.post(UPDATE, scenario.body(random.Random(seed)))
    warm.close()

    result = LoadResult(latencies_ms={s.page: [] for s in scenarios})
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration_s

    def client_loop(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        client = Client(port, cookie)
        order = scenarios[:]
        try:
            while time.perf_counter() < deadline:
                rng.shuffle(order)
                for scenario in order:
                    if time.perf_counter() >= deadline:
                        break
                    body = scenario.body(rng)
                    t0 = time.perf_counter()
                    try:
                        status, raw = client.post(UPDATE, body)
                        problem = None if 200 <= status < 300 else f"HTTP {status}"
                    except Exception as exc:  # a timeout or a dropped connection is an error
                        client.close()
                        problem = f"{type(exc).__name__}: {exc}"
                    elapsed = (time.perf_counter() - t0) * 1000
                    with lock:
                        result.requests += 1
                        if problem:
                            result.errors += 1
                            if len(result.error_samples) < 5:
                                result.error_samples.append(f"{scenario.name}: {problem}")
                        else:
                            result.latencies_ms[scenario.page].append(elapsed)
                    if think_s:
                        time.sleep(rng.uniform(0, 2 * think_s))
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result


def serving(server: Server) -> str:
    """What serves the dashboard, as gunicorn reports it: its worker class (from its start-up
    log) and how many workers its master runs (the config's choice, or `--workers`)."""
    import psutil

    with server.log.open("rb") as fh:
        fh.seek(server.log_start)
        found = re.search(rb"Using worker: (\S+)", fh.read())
    kind = found.group(1).decode() if found else "unknown"
    return f"gunicorn, {len(psutil.Process(server.process.pid).children())} {kind} workers"


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


class PeakSampler:
    """Polls the RSS of a process tree in a thread; `peak_mb` is the highest sum seen."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            if self._stop.wait(self.interval):
                return


def measure_dashboard(
    home: Path,
    clients: int,
    duration_s: float,
    think_s: float = 0.0,
    workers: int | None = None,
) -> dict:
    """Serve `home`'s warehouse, sign in as a leader, and load the pages for `duration_s`."""
    import numpy as np

    from townperf import users

    password = secrets.token_urlsafe(16)
    users.add_user(home, BENCH_USER, password, "leader")
    with dashboard_server(home, workers) as server, PeakSampler(server.process.pid) as rss:
        served_by = serving(server)
        cookie = login(server.port, BENCH_USER, password)
        scenarios, missing = discover(server.port, cookie)
        if not scenarios:
            raise RuntimeError(f"no dashboard page to measure: {missing}")
        load = run_load(server.port, cookie, scenarios, clients, duration_s, think_s)
    every = [ms for values in load.latencies_ms.values() for ms in values]

    def pct(values: list[float], q: float) -> float | None:
        return float(np.percentile(values, q)) if values else None

    return {
        "clients": clients,
        "duration_s": load.seconds,
        "think_s": think_s,
        "server": served_by,
        "requests": load.requests,
        "requests_per_s": load.requests / load.seconds if load.seconds else 0.0,
        "errors": load.errors,
        "error_samples": load.error_samples,
        "latency_p50_ms": pct(every, 50),
        "latency_p95_ms": pct(every, 95),
        "latency_p99_ms": pct(every, 99),
        "pages": {
            page: {
                "requests": len(values),
                "p50_ms": pct(values, 50),
                "p95_ms": pct(values, 95),
                "p99_ms": pct(values, 99),
            }
            for page, values in load.latencies_ms.items()
        },
        "scenarios": [s.name for s in scenarios],
        "pages_missing": missing,
        "server_peak_rss_mb": rss.peak_mb,
    }
