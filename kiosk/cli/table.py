"""Every top-level command: the module that builds it, its purpose and an example.

Parsing imports only the module of the command typed (as pip's command
table does); ``assettrack --help`` lists them all from here without
importing any. Each module exposes ``BUILDERS``: command name -> a function
that adds the command's arguments (or actions) to its parser.
"""

from __future__ import annotations


class Command:
    """A top-level command: the module that builds it, its purpose and an example."""

    __slots__ = ("module", "summary", "example")

    def __init__(self, module: str, summary: str, example: str) -> None:
        self.module, self.summary, self.example = module, summary, example


COMMANDS: dict[str, Command] = {
    "case": Command(
        "kiosk.cli.slot_cmds", "Create and list storage cases.", "assettrack case list"
    ),
    "slot": Command(
        "kiosk.cli.slot_cmds",
        "Assign, vacate and move assets between slots.",
        "assettrack slot assign LT-0193 CART-A 4",
    ),
    "where": Command(
        "kiosk.cli.where_cmd", "Show which slot holds an asset.", "assettrack where LT-0193"
    ),
    "asset": Command(
        "kiosk.cli.asset_cmds",
        "Register, inspect and change assets.",
        "assettrack asset show LT-0193",
    ),
    "person": Command(
        "kiosk.cli.asset_cmds",
        "Manage the people who borrow assets.",
        "assettrack person add 0042 'Alice Ng'",
    ),
    "stock-out": Command(
        "kiosk.cli.custody_cmds",
        "Hand an in-stock asset to a person.",
        "assettrack stock-out LT-0193 --to 0042 --days 7",
    ),
    "stock-in": Command(
        "kiosk.cli.custody_cmds",
        "Take an asset back into its home slot (or the one named).",
        "assettrack stock-in LT-0193   |   assettrack stock-in LT-0193 CART-B 2",
    ),
    "custody": Command(
        "kiosk.cli.custody_cmds", "Who holds what.", "assettrack custody list --overdue"
    ),
    "log": Command(
        "kiosk.cli.log_cmds",
        "Show recent events, or verify the hash chain.",
        "assettrack log --asset LT-0193 --limit 20   |   assettrack log verify",
    ),
    "backup": Command(
        "kiosk.cli.data_cmds",
        "Copy the database safely while the kiosk runs (to a file or a directory).",
        "assettrack backup /var/backups/assettrack/",
    ),
    "restore": Command(
        "kiosk.cli.data_cmds",
        "Replace the database by a verified backup (kiosk daemon stopped).",
        "systemctl stop assettrack && assettrack restore /var/backups/assettrack/x.db --yes",
    ),
    "init": Command(
        "kiosk.cli.data_cmds",
        "Create an empty database (the kiosk daemon never creates one).",
        "assettrack init",
    ),
    "doctor": Command(
        "kiosk.cli.data_cmds",
        "Check the database, config, hardware and daemon; change nothing.",
        "assettrack doctor --json",
    ),
    "hw": Command(
        "kiosk.cli.hw_cmds",
        "check the kiosk hardware: LEDs, buttons, display, scanner",
        "assettrack hw leds test --step 0.5",
    ),
    "run": Command(
        "kiosk.cli.run_cmd",
        "Run the kiosk daemon in the foreground (what systemd starts).",
        "assettrack --db data/assettrack.db run --sim",
    ),
    "status": Command(
        "kiosk.cli.remote_cmds",
        "Show the running kiosk: state, slot LEDs, OLED text, scanner.",
        "assettrack status --json",
    ),
    "inject": Command(
        "kiosk.cli.remote_cmds",
        "Feed the running kiosk a scan or a button press.",
        "assettrack inject scan LT-0193   |   assettrack inject press confirm",
    ),
    "screen": Command(
        "kiosk.cli.remote_cmds",
        "Save what the kiosk's OLED shows as a PNG.",
        "assettrack screen --png oled.png",
    ),
    "labels": Command(
        "kiosk.cli.label_cmds",
        "Print label sheets: slots, badges, asset tags, command cards.",
        "assettrack labels slots CART-A -o cart-a.pdf --sheet avery-l7163",
    ),
    "sync": Command(
        "kiosk.cli.fleet_cmds",
        "Ship this kiosk's event log to the central ledger (what assettrack-sync runs).",
        "assettrack sync --once",
    ),
    "fleet": Command(
        "kiosk.cli.fleet_cmds",
        "Ask the central ledger: status, where, overdue, verify; init its schema.",
        "assettrack fleet where LT-0193 --dsn postgresql://staff@central/assettrack",
    ),
    "demo": Command(
        "kiosk.cli.demo_cmds",
        "Demo data for trying the kiosk.",
        "assettrack --db data/assettrack.db demo seed --if-empty",
    ),
}

#: How ``assettrack --help`` groups them (actions of a command may sit in another group).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cases and slots", ("case", "slot", "where")),
    ("assets and people", ("asset", "person")),
    ("custody", ("stock-out", "stock-in", "custody")),
    ("log", ("log",)),
    ("data", ("init", "asset import", "asset export", "backup", "restore", "doctor")),
    ("labels", ("labels",)),
    ("hardware", ("hw",)),
    ("daemon", ("run", "status", "inject", "screen")),
    ("fleet", ("sync", "fleet")),
    ("demo", ("demo",)),
)
