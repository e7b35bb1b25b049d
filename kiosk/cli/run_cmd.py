"""``run``: the kiosk daemon in the foreground, what systemd starts.

``make run`` adds ``--sim`` for a terminal with no hardware attached: the
OLED and LEDs are drawn in the terminal and typed lines are scans.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser
from kiosk.cli.remote_cmds import control_socket, socket_option
from kiosk.config.settings import load_config
from kiosk.daemon import logsetup
from kiosk.daemon.console import Console
from kiosk.daemon.loop import Daemon, Options, serve
from kiosk.errors import KioskError, NoDatabase, StorageUnusable

#: ``run``'s exit code when the database needs a person (missing, damaged, not
#: ours, read-only, no access; held by another kiosk; deleted or replaced while
#: the kiosk ran): sysexits' EX_CONFIG. assettrack.service lists it in
#: RestartPreventExitStatus=, so systemd does not restart into the same fault.
EXIT_NEEDS_A_PERSON = 78


class CannotStart(KioskError):
    """``run`` refuses to start: retrying without a person's help would not change that."""

    code = "cannot_start"
    exit_code = EXIT_NEEDS_A_PERSON


def _run(p: Parser) -> None:
    p.add_argument(
        "--sim", action="store_true", help="simulated LEDs, buttons and display (keys on a TTY)"
    )
    p.add_argument("--scanner", metavar="PORT", help="scanner serial port, overriding the config")
    socket_option(p)
    p.set_defaults(func=run)


BUILDERS = {"run": _run}


def run(ctx: Context, args: argparse.Namespace) -> Result:
    tty = args.sim and sys.stdin.isatty() and sys.stdout.isatty()
    # On the terminal view only warnings: info lines would scroll the view away.
    quiet = tty and not args.verbose
    level = logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO
    logsetup.configure(level)
    options = Options(
        sim=args.sim,
        scanner_port=args.scanner,
        socket_path=control_socket(ctx, args),
        actor="kiosk",
    )
    try:
        db = ctx.open_db(create=False, exact_schema=True)
        daemon = Daemon(load_config(ctx.args.config), db, options)
        if tty:
            Console(daemon).attach()
        serve(daemon)
    except (StorageUnusable, NoDatabase) as exc:
        raise CannotStart(exc.message) from exc
    return Result({"stopped": True}, "")
