#!/usr/bin/env bash
# Run `townperf bench` with its PostgreSQL peer: installs the PostgreSQL server (Debian's
# package) and the bench extra (dbt-postgres, sqlglot) when missing, then runs the bench with
# the arguments given, e.g.:
#   bash scripts/bench-postgres.sh --scales town,county --json bench.json
# The bench starts its own throwaway cluster on 127.0.0.1 and removes it afterwards; the
# system's PostgreSQL service is neither started nor changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    echo "installing PostgreSQL server…" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    # Debian starts a system cluster on install; the bench does not use it.
    $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
fi
if ! .venv/bin/python -c "import dbt.adapters.postgres, sqlglot" 2>/dev/null; then
    echo "installing the bench extra (dbt-postgres, sqlglot)…" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[bench]'
fi

export DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=False
exec .venv/bin/townperf bench "$@"
