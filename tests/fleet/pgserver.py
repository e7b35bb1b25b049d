"""A real PostgreSQL server for the tests: initdb and pg_ctl in a temporary directory.

It listens on a Unix socket only, and runs as an unprivileged system user
(PostgreSQL refuses to run as root): ``assettrack-pg``, created with
useradd when missing. Run by a non-root developer, it runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

USER = "assettrack-pg"
SUPERUSER = "postgres"
PORT = 5432


def _bindir() -> Path:
    """Where initdb lives: on PATH, or Debian's versioned directory (newest first)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    raise RuntimeError("no initdb: run scripts/prereqs.sh test (installs postgresql)")


def _ensure_user() -> tuple[str | None, bool]:
    """The user to run the server as (None: ourselves, when not root), and if we made it."""
    if os.geteuid() != 0:
        return None, False
    try:
        pwd.getpwnam(USER)
        return USER, False
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )  # fmt: skip
    return USER, True


class Server:
    """One PostgreSQL cluster; ``dsn(dbname, user)`` connects over its socket."""

    def __init__(self) -> None:
        self.bin = _bindir()
        self.user, self._made_user = _ensure_user()
        self.root = Path(tempfile.mkdtemp(prefix="assettrack-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.logfile = self.root / "server.log"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o755)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-instructions", "-N",
        )  # fmt: skip
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        options = f"-k {self.socket_dir} -c listen_addresses='' -p {PORT} -c max_connections=200"
        deadline = time.monotonic() + 30
        while True:
            # After a SIGKILL the old backends take a moment to notice and exit;
            # until then the new postmaster refuses the shared memory they hold.
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "30",
                "-o", options, "start", check=False,
            )  # fmt: skip
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"pg_ctl start failed: {done.stdout}{done.stderr}")
            time.sleep(0.2)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would."""
        os.kill(self.postmaster_pid(), signal.SIGKILL)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"host={self.socket_dir} port={PORT} dbname={dbname} user={user}"

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        if self._made_user:
            # Refused (and left) while another session's server still runs as it.
            subprocess.run(["userdel", USER], capture_output=True, check=False)
