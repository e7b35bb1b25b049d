"""The fleet: ``sync`` ships this kiosk's log; ``fleet ...`` asks the central ledger.

``--dsn`` and ``--kiosk`` default to the config's ``[fleet]`` table. Exit
codes as everywhere: 1 the central database is unreachable (try again), 3 a
fork or a rollback was refused (a person must look; nothing was shipped),
4 an unknown asset or an unregistered kiosk.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import signal
from collections.abc import Iterator
from typing import Any

from kiosk.cli.context import Context
from kiosk.cli.output import Result, table
from kiosk.cli.parsing import Parser, actions
from kiosk.config.settings import FleetConfig, load_config
from kiosk.domain import validate
from kiosk.errors import InvalidInput, KioskError
from kiosk.fleet import connect, queries, schema, sync


def _dsn_option(p: Parser) -> None:
    p.add_argument("--dsn", help="central database (default: the config's [fleet] dsn)")


def _sync(p: Parser) -> None:
    p.add_argument("--once", action="store_true", help="ship until caught up, then exit")
    _dsn_option(p)
    p.add_argument("--kiosk", metavar="ID", help="this kiosk's id (default: [fleet] kiosk)")
    p.add_argument("--batch", type=int, default=sync.DEFAULT_BATCH, metavar="N",
                   help="events per central transaction")  # fmt: skip
    p.set_defaults(func=sync_cmd)


def _fleet(parser: Parser) -> None:
    sub = actions(parser, "fleet")
    p = sub.add(
        "init",
        "Create or upgrade the central schema; register kiosks and print their role grants.",
        "assettrack fleet init --dsn postgresql://admin@central/assettrack --kiosk ROOM-1",
    )
    _dsn_option(p)
    p.add_argument("--kiosk", action="append", default=[], metavar="ID[=ROLE]",
                   help="register a kiosk (role default: kiosk_<id>); repeatable")  # fmt: skip
    p.set_defaults(func=fleet_init)
    p = sub.add("status", "Per kiosk: events, head, last sync, alerts.", "assettrack fleet status")
    _dsn_option(p)
    p.set_defaults(func=fleet_status)
    p = sub.add(
        "where", "Which kiosk, slot or person has an asset.", "assettrack fleet where LT-0193"
    )
    p.add_argument("tag")
    _dsn_option(p)
    p.set_defaults(func=fleet_where)
    p = sub.add(
        "overdue", "Assets past their due date, at every kiosk.", "assettrack fleet overdue"
    )
    _dsn_option(p)
    p.set_defaults(func=fleet_overdue)
    p = sub.add("verify", "Re-walk every kiosk's chain centrally.", "assettrack fleet verify")
    _dsn_option(p)
    p.set_defaults(func=fleet_verify)


BUILDERS = {"sync": _sync, "fleet": _fleet}


def _config(ctx: Context) -> FleetConfig:
    return load_config(ctx.args.config).fleet


def _dsn(ctx: Context, args: argparse.Namespace) -> str:
    dsn = args.dsn or _config(ctx).dsn
    if not dsn:
        raise InvalidInput("no central database: pass --dsn or set [fleet] dsn in the config")
    return str(dsn)


@contextlib.contextmanager
def _central(ctx: Context, args: argparse.Namespace) -> Iterator[Any]:
    conn = connect.connect(_dsn(ctx, args))
    try:
        yield conn
    except KioskError:
        raise
    except Exception as err:
        if type(err).__module__.startswith("psycopg"):
            raise connect.translate(err) from None
        raise
    finally:
        conn.close()


# -- sync -----------------------------------------------------------------------


def sync_cmd(ctx: Context, args: argparse.Namespace) -> Result:
    config = _config(ctx)
    kiosk = schema.kiosk_id(args.kiosk or config.kiosk or "")
    if args.batch < 1:
        raise InvalidInput("--batch must be 1 or more")
    ctx.db.close()  # no database: say so (exit 4) before any connection is tried
    shipper = sync.Shipper(ctx.db_path(), kiosk=kiosk, dsn=_dsn(ctx, args), batch=args.batch)
    try:
        if args.once:
            done = shipper.ship()
            return Result(
                done.as_dict(),
                f"kiosk {kiosk}: shipped {done.shipped} events; central head {done.head}, "
                f"local newest {done.local}",
            )
        _serve(shipper, config.interval)
        return Result({"kiosk": kiosk, "stopped": True}, f"kiosk {kiosk}: sync stopped")
    finally:
        shipper.close()


def _serve(shipper: sync.Shipper, interval: float) -> None:
    """The long-running sync (what ``assettrack-sync.service`` starts)."""
    from kiosk.daemon import logsetup

    logsetup.configure()

    def on_signal(_signum: int, _frame: object) -> None:
        shipper.stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    sync.run(shipper.ship, interval=interval, stop=shipper.stop)


# -- fleet ----------------------------------------------------------------------


def _kiosk_arg(value: str) -> tuple[str, str]:
    kiosk, _, role = value.partition("=")
    kiosk = schema.kiosk_id(kiosk)
    return kiosk, schema.role_name(role) if role else schema.default_role(kiosk)


def fleet_init(ctx: Context, args: argparse.Namespace) -> Result:
    wanted = [_kiosk_arg(v) for v in args.kiosk]
    with _central(ctx, args) as conn:
        before, after = schema.install(conn)
        for kiosk, role in wanted:
            schema.register(conn, kiosk, role)
        registered = conn.execute("SELECT kiosk, role FROM fleet.kiosks ORDER BY kiosk").fetchall()
    sql = "".join(schema.grants(k, r) for k, r in registered)
    if before == after:
        said = f"central schema is up to date (version {after})"
    else:
        said = f"central schema: version {before} -> {after}"
    note = (
        "-- run as a role with CREATEROLE (e.g. postgres), once per kiosk; then let each\n"
        "-- role log in from its kiosk only (pg_hba.conf: hostssl ... cert or scram-sha-256)\n"
    )
    return Result(
        {
            "schema": after,
            "was": before,
            "kiosks": [{"kiosk": k, "role": r} for k, r in registered],
            "grants": sql,
        },  # fmt: skip
        f"{said}\n{note}{sql}" if sql else said,
    )


def fleet_status(ctx: Context, args: argparse.Namespace) -> Result:
    with _central(ctx, args) as conn:
        found = queries.status(conn)

    def text() -> str:
        if not found:
            return "no kiosks registered"
        rows = [
            (k["kiosk"], k["events"], k["head"][:16], k["last_sync"] or "never", len(k["alerts"]))
            for k in found
        ]
        lines = [table(("KIOSK", "EVENTS", "HEAD", "LAST SYNC", "ALERTS"), rows)]
        for k in found:
            for alert in k["alerts"][:1]:
                lines.append(f"ALERT {k['kiosk']} {alert['raised']}: {alert['message']}")
        return "\n".join(lines)

    return Result(found, text)


def _asset_line(a: dict[str, Any]) -> str:
    if a["slot"]:
        where = f"in {a['slot']}"
    elif a["status"] == "IN_CUSTODY":
        due = f", due {a['due']}" if a["due"] else ""
        where = f"out with {a['custodian_name'] or '?'} ({a['custodian']}){due}"
    else:
        where = f"not in a slot ({a['status']})"
    return f"{a['tag']}: {a['kiosk']} {where} (as of {a['as_of']})"


def fleet_where(ctx: Context, args: argparse.Namespace) -> Result:
    tag = validate.tag(args.tag)
    with _central(ctx, args) as conn:
        found = queries.where(conn, tag)
    lines = [_asset_line(found)] + ["  also known at " + _asset_line(a) for a in found["elsewhere"]]
    return Result(found, "\n".join(lines))


def fleet_overdue(ctx: Context, args: argparse.Namespace) -> Result:
    with _central(ctx, args) as conn:
        found = queries.overdue(conn, _dt.date.today().isoformat())

    def text() -> str:
        if not found:
            return "nothing overdue"
        rows = [
            (a["kiosk"], a["tag"], a["custodian"], a["custodian_name"] or "", a["due"], a["as_of"])
            for a in found
        ]
        return table(("KIOSK", "TAG", "BADGE", "NAME", "DUE", "AS OF"), rows)

    return Result(found, text)


class LedgerBroken(KioskError):
    """``fleet verify`` found a broken chain; ``details`` lists every kiosk."""

    code = "ledger_broken"

    def __init__(self, message: str, details: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.details = details


def fleet_verify(ctx: Context, args: argparse.Namespace) -> Result:
    with _central(ctx, args) as conn:
        found = queries.verify(conn)
    bad = [k for k in found if not k["ok"]]
    if bad:
        named = "; ".join(f"{k['kiosk']} at event {k['bad_id']}: {k['reason']}" for k in bad)
        raise LedgerBroken(f"central ledger broken: {named}", found)
    rows = [(k["kiosk"], k["events"], k["head"][:16]) for k in found]
    return Result(
        found,
        table(("KIOSK", "EVENTS", "HEAD"), rows) + f"\n{len(found)} chains intact"
        if found
        else "no kiosks registered",
    )
