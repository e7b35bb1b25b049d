"""`make mutate`: mutation testing of the core against each module's focused tests.

Each module is mutated in its own scratch copy of the tree (the working tree
is never touched, so a developer can keep editing while it runs) by mutmut
2.x, which runs only the tests that are about that module: a mutant that
needs the whole suite to be caught is a sign the focused tests are thin.

Usage: python scripts/mutate.py [-j JOBS] [--min 90] [MODULE ...]

It prints, per module, killed / tested and the share, then every surviving
mutant as a diff. It exits 1 when a module is below ``--min`` percent.
Surviving mutants that are equivalent or harmless are listed, with the
reason, in docs/testing.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the focused tests that must catch its mutants. Slow stateful,
# crash and concurrency tests are left out: they run in make test/torture.
DOMAIN = "tests/domain/test_operations.py tests/domain/test_custody.py tests/domain/test_slots.py"
TARGETS: dict[str, tuple[str, str]] = {
    "sanitize": ("kiosk/sanitize.py", "tests/test_sanitize.py"),
    "scanner": ("hw/scanner.py", "tests/hw/test_scanner_assembler.py"),
    "operations": ("kiosk/domain/operations.py", DOMAIN),
    "events": (
        "kiosk/store/events.py",
        "tests/store/test_event_records.py tests/store/test_events.py",
    ),
    "interaction": (
        "kiosk/flow/interaction.py",
        "tests/flow/test_kiosk_steps.py tests/flow/test_kiosk_database.py "
        "tests/flow/test_interaction.py tests/flow/test_kiosk_rules.py",
    ),
    "barcodes": ("kiosk/flow/barcodes.py", "tests/flow/test_barcodes.py"),
    "intent": ("kiosk/flow/intent.py", "tests/flow/test_intent.py"),
    "slots": (
        "kiosk/domain/slots.py",
        "tests/domain/test_slot_layer.py tests/domain/test_slots.py",
    ),
    "custody": (
        "kiosk/domain/custody.py",
        "tests/domain/test_custody_transitions.py tests/domain/test_custody.py",
    ),
    "placement": (
        "kiosk/domain/placement.py",
        "tests/domain/test_placement.py tests/domain/test_slots.py",
    ),
    "intake": ("kiosk/domain/intake.py", "tests/domain/test_intake.py"),
    # UpdateAsset is what reads DESCRIPTIVE: intake's tests prove it.
    "assets": ("kiosk/domain/assets.py", "tests/domain/test_assets.py tests/domain/test_intake.py"),
    "people": ("kiosk/domain/people.py", "tests/domain/test_people.py"),
    "validate": ("kiosk/domain/validate.py", "tests/domain/test_validate.py"),
    "types": ("kiosk/domain/types.py", "tests/domain/test_types.py"),
    "db": (
        "kiosk/store/db.py",
        "tests/store/test_db.py tests/store/test_connection.py tests/store/test_storage_errors.py",
    ),
    "migrations": (
        "kiosk/store/migrations.py",
        "tests/store/test_migrations.py tests/store/test_db.py",
    ),
    "invariants": ("kiosk/store/invariants.py", "tests/store/test_invariants.py"),
    "backup": ("kiosk/store/backup.py", "tests/store/test_backup.py"),
    "schema": ("kiosk/store/schema.py", "tests/store/test_schema.py"),
    "replay": (
        "kiosk/store/replay.py",
        "tests/store/test_replay_compare.py tests/store/test_replay.py",
    ),
    "heads": ("kiosk/store/heads.py", "tests/store/test_heads.py tests/store/test_head_file.py"),
    "scratch": ("kiosk/store/scratch.py", "tests/store/test_scratch.py"),
}
KILLED = ("ok_killed", "bad_timeout", "ok_suspicious")
IGNORED = {".venv", ".git", ".hypothesis", ".mypy_cache", ".pytest_cache", "data"}


@dataclass
class Score:
    module: str
    path: str
    killed: int = 0
    tested: int = 0
    survivors: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return 100.0 * self.killed / self.tested if self.tested else 0.0


def _copy(dest: Path, source: Path = ROOT) -> None:
    def ignore(_: str, names: list[str]) -> set[str]:
        return {n for n in names if n in IGNORED or n.startswith(".mutmut") or n == "__pycache__"}

    shutil.copytree(source, dest, ignore=ignore, dirs_exist_ok=True)
    shutil.copy(ROOT / "scripts" / "mutmut_config.py", dest / "mutmut_config.py")


def _mutate(
    module: str, scratch: Path, source: Path, tests_override: str | None, timeout: float
) -> Score:
    path, tests = TARGETS[module]
    tests = tests_override or tests
    score = Score(module, path)
    start = time.monotonic()
    tree = scratch / module
    _copy(tree, source)
    # Through this script's --pytest: mutmut 2 counts only exit code 1 as
    # "killed", but a mutant that breaks an import makes pytest exit 4.
    runner = (
        f"{sys.executable} {Path(__file__).resolve()} --pytest -x -q "
        f"-p no:cacheprovider -o addopts= -W ignore::pytest.PytestConfigWarning {tests}"
    )
    env_run = [sys.executable, "-m", "mutmut"]
    command = [*env_run, "run", "--paths-to-mutate", path, "--runner", runner]
    command += ["--no-progress", "--simple-output", "--tests-dir", "tests"]
    # In a session of its own, so that on timeout its test runs go with it.
    proc = subprocess.Popen(
        command,
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(tree),
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # mutmut 2 waits forever on its queue when the thread that applies
        # mutants dies (seen under load: "assert line" in its cache.py).
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        score.error = f"mutmut did not finish within {timeout:.0f} s; run the module again"
        return score
    cache = tree / ".mutmut-cache"
    if not cache.exists():
        score.error = output[-2000:]
        return score
    with sqlite3.connect(cache) as conn:
        rows = conn.execute(
            "SELECT m.id, m.status FROM Mutant m JOIN Line l ON m.line = l.id"
        ).fetchall()
    for mutant_id, status in rows:
        if status in ("skipped", "untested"):
            continue
        score.tested += 1
        if status in KILLED:
            score.killed += 1
        else:
            shown = subprocess.run(
                [*env_run, "show", str(mutant_id)],
                cwd=tree,
                capture_output=True,
                text=True,
                env=_env(tree),
                check=False,
            )
            score.survivors.append(shown.stdout.strip())
    if proc.returncode not in (0, 2, 4, 8, 10, 12, 14) and not score.tested:
        score.error = output[-2000:]
    score.seconds = time.monotonic() - start
    return score


def _env(tree: Path) -> dict[str, str]:
    # Subprocesses the tests start import the mutated copy, not the checkout.
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def _pytest(args: list[str]) -> int:
    """Run pytest in this process; any failure at all (tests, collection, import) is 1."""
    import pytest

    return 0 if pytest.main(args) == 0 else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--pytest"]:
        return _pytest(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *TARGETS], metavar="MODULE")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--min", type=float, default=90.0, help="lowest killed share, percent")
    parser.add_argument("--tree", type=Path, default=ROOT, help="mutate this checkout instead")
    parser.add_argument("--tests", help="run these tests instead of the module's focused ones")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="minutes one module may take before it fails"
    )
    args = parser.parse_args(argv)
    modules = args.modules or list(TARGETS)
    with (
        tempfile.TemporaryDirectory(prefix="assettrack-mutate-") as scratch,
        ThreadPoolExecutor(max_workers=args.jobs) as pool,
    ):
        scores = list(
            pool.map(
                lambda m: _mutate(m, Path(scratch), args.tree, args.tests, 60 * args.timeout),
                modules,
            )
        )
    failed = False
    for score in scores:
        for diff in score.survivors:
            print(f"--- surviving mutant in {score.path}\n{diff}\n")
    print(f"{'module':<13} {'file':<28} {'killed':>7} {'tested':>7} {'share':>7} {'time':>6}")
    for score in scores:
        if score.error:
            failed = True
            print(f"{score.module:<13} {score.path:<28} error:\n{score.error}")
            continue
        low = score.share < args.min
        failed |= low
        print(
            f"{score.module:<13} {score.path:<28} {score.killed:>7} {score.tested:>7} "
            f"{score.share:>6.1f}% {score.seconds:>5.0f}s" + (f"  below {args.min}%" if low else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
