"""What SECURITY.md promises about the code and the files, checked on every run.

Static: kiosk/ and hw/ never run a shell, evaluate text or unpickle, and SQL
is never built from data. Every value interpolated into an SQL-looking
f-string is listed below with the reason it is safe; a new one fails until
someone looks at it and adds it, and a stale entry fails too. ``%`` and
``.format`` are never used on SQL.

Files: the database, its -wal and -shm files are not world-accessible even
under a permissive umask (the socket and its directory are checked by the
end-to-end daemon test, the database directory by the domain tests).
"""

from __future__ import annotations

import ast
import os
import re
import stat
from pathlib import Path

import pytest

from kiosk.domain import slots
from kiosk.store.db import Database
from tests.conftest import ACTOR
from tests.conftest import add as add_asset

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for root in ("kiosk", "hw") for p in (REPO / root).rglob("*.py"))
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|ALTER|WHERE|VALUES)\b")

#: (file, interpolated expression) -> why it cannot carry data into the SQL.
SQL_INTERPOLATIONS = {
    ("kiosk/domain/assets.py", "', '.join(cols)"): "column names filtered through WRITABLE",
    ("kiosk/domain/assets.py", "', '.join(('?' for _ in cols))"): "only '?' placeholders",
    ("kiosk/domain/assets.py", "sets"): "'col = ?' for columns filtered through WRITABLE",
    ("kiosk/store/backup.py", "int(timeout * 1000)"): "an int; PRAGMAs take no parameters",
    ("kiosk/store/db.py", "int(self.busy_timeout * 1000)"): "an int; PRAGMAs take no parameters",
    ("kiosk/store/events.py", "_COLUMNS"): "a module constant: the event table's column list",
    ("kiosk/store/migrations.py", "APPLICATION_ID"): "a module constant int",
    ("kiosk/store/migrations.py", "number"): "a migration number from the MIGRATIONS table",
    ("kiosk/store/scratch.py", "quoted"): "a table name from the file's schema, quoted as an id",
    ("kiosk/store/scratch.py", "select"): "_LAST_ONLY's constant, or SELECT * of a quoted name",
    **{
        ("kiosk/fleet/schema.py", name): "a module constant of the central schema"
        for name in (
            "KIOSK_ROLE",
            "READER_ROLE",
            "GENESIS",
            "FORK",
            "GAP",
            "BAD_HASH",
            "UNREGISTERED",
            "APPEND_ONLY",
        )
    },  # fmt: skip
    ("kiosk/fleet/schema.py", "kiosk"): "a kiosk id re-checked by kiosk_id() (fullmatch)",
    ("kiosk/fleet/schema.py", "role"): "a role name re-checked by role_name() (fullmatch)",
    ("kiosk/fleet/sync.py", "COLUMNS"): "a module constant: the event table's column list",
    ("kiosk/fleet/derive.py", "_EVENTS"): "a module constant: the events a batch derives from",
}
FORBIDDEN_IMPORTS = {"pickle", "cPickle", "shelve", "marshal", "dill"}
FORBIDDEN_CALLS = {"eval", "exec", "os.system", "os.popen", "os.execl", "os.spawnl"}


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _sqlish(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(SQL.search(node.value))
    )


def test_sources_found():
    assert len(SOURCES) > 30 and any(p.name == "loop.py" for p in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_shell_eval_or_pickle(path):
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            found += [f"import {n}" for n in names if n.split(".")[0] in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in FORBIDDEN_CALLS:
                found.append(f"{name}() at line {node.lineno}")
            for kw in node.keywords:
                if kw.arg == "shell" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append(f"shell={ast.unparse(kw.value)} at line {node.lineno}")
    assert not found, f"{_rel(path)}: {found}"


def _sql_interpolations():
    seen, formatted = {}, []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.JoinedStr) and any(_sqlish(v) for v in node.values):
                for value in node.values:
                    if isinstance(value, ast.FormattedValue):
                        key = (_rel(path), ast.unparse(value.value))
                        seen.setdefault(key, node.lineno)
            elif (
                isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _sqlish(node.left)
            ):
                formatted.append(f"{_rel(path)}:{node.lineno} %-formats SQL")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and _sqlish(node.func.value)
            ):
                formatted.append(f"{_rel(path)}:{node.lineno} .format()s SQL")
    return seen, formatted


def test_sql_is_built_only_from_listed_constants():
    seen, formatted = _sql_interpolations()
    assert not formatted, formatted
    unlisted = sorted(
        f"{f}:{line} {{{expr}}}"
        for (f, expr), line in seen.items()
        if (f, expr) not in SQL_INTERPOLATIONS
    )
    assert not unlisted, f"SQL interpolates values not known to be safe: {sorted(unlisted)}"
    stale = set(SQL_INTERPOLATIONS) - set(seen)
    assert not stale, f"allowlist entries no longer in the code: {sorted(stale)}"


def test_database_wal_and_shm_are_not_world_accessible(tmp_path):
    old = os.umask(0o022)  # a developer's umask; the service runs with 0027
    try:
        path = tmp_path / "data" / "assettrack.db"
        with Database(path) as db:
            slots.init_case(db, "A", 2, actor=ACTOR)
            add_asset(db, "LT-1", "A:1")
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
    finally:
        os.umask(old)
    assert modes == dict.fromkeys(modes, 0o640), {k: oct(v) for k, v in modes.items()}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750
