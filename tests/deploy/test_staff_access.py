"""Staff in the service's group work on the installed database without sudo.

Real accounts, made with ``useradd`` for the test and removed after: a
service user (the unit's ``User=``) and a staff user in its group (what
``install.sh --staff`` makes). The daemon and the CLI run as them with
``setpriv``, in a state directory laid out as the unit lays it out (setgid,
group-writable), each with its own umask. The daemon sees a /proc mounted
``hidepid=invisible`` in a private mount namespace, as the unit's
``ProtectProc=invisible`` gives it: other users' processes are invisible,
so group membership must come from the socket, not from /proc.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.store.backup import backup
from kiosk.store.db import Database
from tests.deploy import SIM_DEVICES

REPO = Path(__file__).resolve().parents[2]
MAIN = "import sys; from kiosk.cli.main import main; sys.exit(main())"


def sim_config(state: Path, run: Path) -> str:
    """Simulated devices; the database and socket where the test laid them out."""
    database = f'[database]\npath = "{state}/assettrack.db"\n'
    return database + f'[control]\nsocket = "{run}/control.sock"\n' + SIM_DEVICES


def _world_runnable(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in (path, *path.parents))


def interpreter() -> str | None:
    """A Python the test accounts may run: this one, or the system's of the same version.

    This checkout's libraries come through ``PYTHONPATH``; a Python under
    root's home (pyenv) is out of the accounts' reach.
    """
    mine = Path(os.path.realpath(sys.executable))
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    for candidate in (mine, system):
        if candidate.exists() and _world_runnable(candidate):
            return str(candidate)
    return None


def _cannot_make_users() -> str | None:
    if os.geteuid() != 0:
        return "creating the service and staff accounts needs root (useradd)"
    for tool in ("useradd", "userdel", "setpriv", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    if interpreter() is None:
        return "no Python the test accounts can run (this one is under a private directory)"
    return None


class Site:
    """Two real accounts and an installed-like layout under one temporary directory."""

    def __init__(self, base: Path, service: str, staff: str) -> None:
        self.base, self.service, self.staff = base, service, staff
        self.state, self.run, self.config = base / "state", base / "run", base / "sim.toml"
        self.home = base / "home"  # the staff member's own directory
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(base),
            "LANG": "C.UTF-8",
            "ASSETTRACK_CONFIG": str(self.config),
            "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]]),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def command(self, user: str | None, args: list[str], umask: str = "0022") -> list[str]:
        """``assettrack ARGS`` as ``user`` with its login groups (root when None)."""
        python = interpreter()
        assert python is not None
        cmd = ["sh", "-c", f'umask {umask} && exec "$@"', "sh", python, "-c", MAIN, *args]
        if user is None:
            return cmd
        return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *cmd]

    def cli(self, user: str | None, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            self.command(user, list(args)),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            cwd=self.base,
        )
        assert res.returncode == code, f"{user} {args}: exit {res.returncode}\n{res.stderr}"
        return res

    def in_hidden_proc(self, cmd: list[str]) -> list[str]:
        """``cmd`` in a private mount namespace whose /proc hides other users' processes."""
        script = 'mount -t proc -o hidepid=invisible proc /proc && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *cmd]


@contextlib.contextmanager
def _traversable(*paths: Path):
    """Let other users pass through (search, not list) the directories above ``paths``.

    A checkout under a private directory (``mktemp -d`` is 0700) would keep
    the test accounts from this checkout's code; the modes are put back after.
    """
    changed: dict[Path, int] = {}
    for path in paths:
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH and parent not in changed:
                changed[parent] = stat.S_IMODE(mode)
                os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)
    try:
        yield
    finally:
        for parent, mode in changed.items():
            os.chmod(parent, mode)


@pytest.fixture
def site():
    why = _cannot_make_users()
    if why:
        pytest.skip(why)
    with _traversable(REPO, Path(sysconfig.get_paths()["purelib"])):
        yield from _site()


def _site():
    tag = f"{os.getpid() % 100000}"
    service, staff = f"atsvc{tag}", f"atstaff{tag}"
    made: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="assettrack-staff-", dir="/tmp"))
    try:
        for args in (
            ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"],
            ["--user-group", "--no-create-home", "--groups", service],
        ):
            name = service if not made else staff
            res = subprocess.run(["useradd", *args, name], capture_output=True, text=True)
            if res.returncode != 0:
                pytest.skip(f"useradd {name} failed: {res.stderr.strip()}")
            made.append(name)
        os.chmod(base, 0o755)
        s = Site(base, service, staff)
        # As the unit makes them: StateDirectoryMode=2770, RuntimeDirectoryMode=0750.
        for d, owner, mode in (
            (s.state, service, 0o2770),
            (s.run, service, 0o750),
            (s.home, staff, 0o700),
        ):
            d.mkdir()
            shutil.chown(d, owner, owner)
            os.chmod(d, mode)
        s.config.write_text(sim_config(s.state, s.run))
        os.chmod(s.config, 0o644)
        yield s
    finally:
        for name in reversed(made):
            subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def wait_for_socket(path: Path, daemon: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        if daemon.poll() is not None:
            pytest.fail(f"daemon exited {daemon.returncode}: {daemon.stderr.read()}")
        assert time.monotonic() < deadline, "no control socket after 30 s"
        time.sleep(0.05)


def test_hidden_proc_hides_other_users(site: Site) -> None:
    # The emulation the next test relies on: as the service user, PID 1 is invisible.
    cmd = site.in_hidden_proc(
        ["setpriv", f"--reuid={site.service}", f"--regid={site.service}", "--init-groups"]
        + ["--", "sh", "-c", "test ! -e /proc/1/status"]
    )
    assert subprocess.run(cmd, timeout=30).returncode == 0


def test_staff_and_service_share_the_database(site: Site) -> None:
    site.cli(site.service, "init")
    # Staff open it first, the daemon stopped: they make -wal and -shm.
    site.cli(site.staff, "case", "init", "CART-S", "--slots", "4")
    site.cli(site.staff, "person", "add", "0042", "Alice Ng")
    site.cli(site.staff, "asset", "add", "LT-0001", "--into", "CART-S", "1")

    daemon = subprocess.Popen(
        site.in_hidden_proc(site.command(site.service, ["run"], umask="0027")),
        env=site.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=site.base,
    )
    try:
        wait_for_socket(site.run / "control.sock", daemon)
        site.cli(site.staff, "status")
        site.cli(site.staff, "stock-out", "LT-0001", "--to", "0042", "--days", "7")
        site.cli(site.staff, "stock-in", "LT-0001")
        # Where staff may not write: one line, no traceback, nothing left.
        refused = site.cli(site.staff, "backup", str(site.base / "x.db"), code=1)
        assert refused.stderr.startswith("error: cannot write") and refused.stderr.count("\n") == 1
        site.cli(site.staff, "backup", str(site.home / "staff-copy.db"))
        # Root, on the live database: nothing it leaves may be root's.
        site.cli(None, "doctor")
        site.cli(None, "asset", "list")
        site.cli(None, "backup", str(site.base / "root-copy.db"))
        site.cli(None, "backup", str(site.state / "in-state.db"))
        site.cli(site.staff, "stock-out", "LT-0001", "--to", "0042", "--days", "7")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    assert daemon.returncode == 0, daemon.stderr.read()
    site.cli(site.staff, "stock-in", "LT-0001")
    site.cli(site.staff, "asset", "list")

    svc_gid = Path(site.state).stat().st_gid
    for p in site.state.iterdir():
        st = p.stat()
        assert st.st_uid != 0 and st.st_gid == svc_gid, (p.name, st.st_uid, st.st_gid)
        if p.name.startswith("assettrack.db"):
            assert stat.S_IMODE(st.st_mode) == 0o660, (p.name, oct(st.st_mode))
    for copy, owner in (
        (site.home / "staff-copy.db", site.staff),
        (site.base / "root-copy.db", site.service),
    ):
        st = copy.stat()
        assert stat.S_IMODE(st.st_mode) == 0o640, (copy, oct(st.st_mode))
        assert (st.st_uid, st.st_gid) == (pwd.getpwnam(owner).pw_uid, svc_gid), copy


@pytest.mark.parametrize("db_mode, copy_mode", [(0o660, 0o640), (0o600, 0o600), (0o644, 0o640)])
def test_backup_is_never_wider_than_0640(tmp_path: Path, db_mode: int, copy_mode: int) -> None:
    path = tmp_path / "live.db"
    Database(path).close()
    os.chmod(path, db_mode)
    old = os.umask(0)  # the copy's mode must not come from the umask
    try:
        copy, _ = backup(path, tmp_path / "copy.db")
    finally:
        os.umask(old)
    assert stat.S_IMODE(copy.stat().st_mode) == copy_mode
    with contextlib.closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
