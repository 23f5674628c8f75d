"""Dashboard accounts and the audit log, in a small SQLite file beside the warehouse.

They live outside `warehouse.duckdb` because the warehouse is replaced whole on every refresh,
and the dashboard must write (logins, audit entries) while serving it read-only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("staff", "office_head", "hr", "leader", "admin")
_hasher = PasswordHasher()

SCHEMA = """
create table if not exists users (
    username text primary key,
    password_hash text not null,
    role text not null,
    staff_id text,
    office text,
    created_at text not null
);
create table if not exists audit_log (
    at text not null,
    username text,
    role text,
    action text not null,
    subject text,
    detail text
);
create table if not exists login_failures (
    key text not null,
    at text not null
);
"""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    staff_id: str | None = None
    office: str | None = None


class UserError(ValueError):
    """A user cannot be created or changed as asked (unknown role, missing staff id, …).

    `code` names the rule that refused it, so the admin page can say it in the reader's
    language; the message is the command line's.
    """

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


MAX_NAME = 64
MIN_PASSWORD = 8


def store_path(home: Path) -> Path:
    return Path(home) / "app.sqlite"


def _connect(home: Path) -> sqlite3.Connection:
    path = store_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("pragma journal_mode=wal")
    # With WAL, NORMAL syncs at checkpoints rather than on every commit: a crash of the
    # program loses nothing, a power cut at most the last moments' entries. Syncing each audit
    # entry of each view serialized the serving threads on the disk.
    con.execute("pragma synchronous=normal")
    con.executescript(SCHEMA)
    return con


_kept = threading.local()


def _kept_connection(home: Path) -> sqlite3.Connection:
    """This thread's open connection to the file, for the two statements of every dashboard
    request (load the signed-in user, append to the audit log): opening one costs about 1 ms,
    a statement on an open one microseconds. Opened again when the file was replaced: the kept
    one holds the old file open, so a new file at the path cannot have its inode number."""
    path = store_path(home)
    kept: dict = _kept.__dict__.setdefault("connections", {})
    try:
        stat = os.stat(path)
        identity = (os.getpid(), stat.st_dev, stat.st_ino)
    except FileNotFoundError:
        identity = None
    entry = kept.get(path)
    if entry is None or identity is None or entry[0] != identity:
        if entry is not None and entry[0][0] == os.getpid():
            entry[1].close()
        con = _connect(home)
        stat = os.stat(path)
        entry = kept[path] = ((os.getpid(), stat.st_dev, stat.st_ino), con)
    return entry[1]


def add_user(
    home: Path,
    username: str,
    password: str,
    role: str,
    staff_id: str | None = None,
    office: str | None = None,
    replace: bool = True,
) -> User:
    """Create an account, or with `replace` (the command line's `users add`) update one of that
    name. The admin page passes `replace=False`: there a taken name is a mistake to report."""
    _check_name(username)
    staff_id, office = (staff_id or "").strip() or None, (office or "").strip() or None
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles are {', '.join(ROLES)}", "role")
    if role == "staff" and not staff_id:
        raise UserError(
            "a staff account needs --staff-id: it sees only that person's figures", "staff_id"
        )
    if role == "office_head" and not office:
        raise UserError("an office head account needs --office: it sees only that office", "office")
    _check_password(password)
    row = (username, _hasher.hash(password), role, staff_id, office, datetime.now().isoformat())
    con = _connect(home)
    try:
        if replace:
            con.execute(
                "insert into users values (?, ?, ?, ?, ?, ?) on conflict(username) do update set "
                "password_hash = excluded.password_hash, role = excluded.role, "
                "staff_id = excluded.staff_id, office = excluded.office",
                row,
            )
        else:
            try:
                con.execute("insert into users values (?, ?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError as exc:
                raise UserError(f"user {username!r} exists already", "exists") from exc
    finally:
        con.close()
    return User(username, role, staff_id, office)


def set_password(home: Path, username: str, password: str) -> None:
    """Give an account a new password (the same rule as a new account's)."""
    _check_password(password)
    con = _connect(home)
    try:
        changed = con.execute(
            "update users set password_hash = ? where username = ?",
            (_hasher.hash(password), username),
        ).rowcount
    finally:
        con.close()
    if not changed:
        raise UserError(f"no user {username!r}", "unknown_user")


def remove_user(home: Path, username: str) -> User:
    """Delete an account; its sessions end at their next request (they load no user). The last
    admin account is kept, or nobody could manage accounts from the dashboard."""
    con = _connect(home)
    try:
        con.execute("begin immediate")  # the last-admin check and the delete, as one
        try:
            row = con.execute(
                "select username, role, staff_id, office from users where username = ?",
                (username,),
            ).fetchone()
            if row is None:
                raise UserError(f"no user {username!r}", "unknown_user")
            if row[1] == "admin":
                (admins,) = con.execute(
                    "select count(*) from users where role = 'admin'"
                ).fetchone()
                if admins <= 1:
                    raise UserError(f"{username!r} is the last admin account", "last_admin")
            con.execute("delete from users where username = ?", (username,))
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    finally:
        con.close()
    return User(*row)


def _check_name(username: str) -> None:
    # The login form strips the name it is given: a name with spaces around it could never sign in.
    if not username or username != username.strip():
        raise UserError("a user name must not be empty or start or end with a space", "name")
    if len(username) > MAX_NAME or not username.isprintable():
        raise UserError(f"a user name has at most {MAX_NAME} printable characters", "name_format")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters", "password")


def get_user(home: Path, username: str) -> User | None:
    row = (
        _kept_connection(home)
        .execute(
            "select username, role, staff_id, office from users where username = ?", (username,)
        )
        .fetchone()
    )
    return User(*row) if row else None


def list_users(home: Path) -> list[User]:
    con = _connect(home)
    try:
        rows = con.execute(
            "select username, role, staff_id, office from users order by username"
        ).fetchall()
    finally:
        con.close()
    return [User(*row) for row in rows]


def verify(home: Path, username: str, password: str) -> User | None:
    con = _connect(home)
    try:
        row = con.execute(
            "select password_hash, role, staff_id, office from users where username = ?",
            (username,),
        ).fetchone()
    finally:
        con.close()
    if row is None:
        # Spend the same time as a real check, so timing does not reveal which names exist.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(row[0], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(username, row[1], row[2], row[3])


def record_failure(home: Path, key: str) -> None:
    con = _connect(home)
    try:
        con.execute("insert into login_failures values (?, ?)", (key, datetime.now().isoformat()))
    finally:
        con.close()


def recent_failures(home: Path, key: str, window: timedelta, prefix: bool = False) -> int:
    """Failures recorded under `key` within `window`; with `prefix`, under every key that starts
    with it (all the names tried from one address)."""
    since = (datetime.now() - window).isoformat()
    if prefix:
        sql = "select count(*) from login_failures where substr(key, 1, ?) = ? and at >= ?"
        params: tuple = (len(key), key, since)
    else:
        sql = "select count(*) from login_failures where key = ? and at >= ?"
        params = (key, since)
    con = _connect(home)
    try:
        (count,) = con.execute(sql, params).fetchone()
    finally:
        con.close()
    return int(count)


def clear_failures(home: Path, key: str) -> None:
    con = _connect(home)
    try:
        con.execute("delete from login_failures where key = ?", (key,))
    finally:
        con.close()


def audit(
    home: Path,
    username: str | None,
    role: str | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
) -> None:
    _kept_connection(home).execute(
        "insert into audit_log values (?, ?, ?, ?, ?, ?)",
        (datetime.now().isoformat(timespec="seconds"), username, role, action, subject, detail),
    )


def audit_entries(home: Path, limit: int = 500) -> list[dict]:
    con = _connect(home)
    try:
        con.row_factory = sqlite3.Row
        rows = con.execute("select * from audit_log order by at desc limit ?", (limit,)).fetchall()
    finally:
        con.close()
    return [dict(row) for row in rows]
