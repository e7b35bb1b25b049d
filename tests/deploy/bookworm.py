"""A Debian Bookworm system booted under its own systemd, for the deployment tests.

The root file system is built once with ``debootstrap --variant=minbase``
from Debian's packages and cached under ``/var/cache/assettrack-tests``
(``$ASSETTRACK_TEST_CACHE``), keyed by a hash of what goes into it: change
:data:`PACKAGES` and the next run builds a new one. Each test run boots a
fresh copy: an overlay whose upper layer is thrown away afterwards, so the
cached tree is never changed. ``systemd-nspawn -b`` boots it with
``--register=no --keep-unit`` because the host need not run systemd (no
machined, no system bus to ask for a scope); commands enter the running
container with ``nsenter``.

The package list is what a Raspberry Pi OS Lite image brings that the
installer relies on (systemd, dbus, python3 and python3-venv), plus the
Debian packages the installer would otherwise fetch with apt, so the
installed environment runs on Bookworm's own Python libraries (Pillow 9.4,
pyserial 3.5, ...) exactly as on a Pi. udev is left out on purpose: a
container has none, and the installer must carry on without it.
"""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

SUITE = "bookworm"
MIRROR = os.environ.get("ASSETTRACK_DEBIAN_MIRROR", "http://deb.debian.org/debian")
CACHE = Path(os.environ.get("ASSETTRACK_TEST_CACHE", "/var/cache/assettrack-tests"))
PACKAGES = (
    "systemd",
    "dbus",
    "python3",
    "python3-venv",
    "python3-pip",
    "python3-systemd",
    "python3-serial",
    "python3-pil",
    "python3-smbus2",
    "i2c-tools",
    "ca-certificates",
)
# Bump when the way the tree is built changes, not only its package list.
RECIPE = 1
BOOT_TIMEOUT = 90.0
# Daily jobs a first boot runs at once: apt's downloads (which would also
# hold apt's lock), dpkg's backups in /var/backups, the ext4 scrub.
QUIET = ("apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer", "e2scrub_all.timer")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def unavailable() -> str | None:
    """Why a container cannot be built and booted here, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (debootstrap, overlay mounts and systemd-nspawn)"
    for tool in ("debootstrap", "systemd-nspawn", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (scripts/prereqs.sh test installs it)"
    return None


def key() -> str:
    """Names the cached tree: what it holds and how it was made."""
    text = "\n".join((SUITE, MIRROR, str(RECIPE), *sorted(PACKAGES)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rootfs() -> Path:
    """The cached Bookworm tree, built first if missing (one builder at a time)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tree = CACHE / f"bookworm-{key()}"
    with open(CACHE / f"{tree.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (tree / ".complete").exists():
            return tree
        partial = tree.with_name(tree.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)
        log = CACHE / f"{tree.name}.log"
        with open(log, "w") as out:
            res = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(PACKAGES)}",
                    SUITE,
                    str(partial),
                    MIRROR,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=1800,
                check=False,
            )
        if res.returncode != 0:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError(f"debootstrap failed ({log}):\n" + "\n".join(tail))
        _prepare(partial)
        (partial / ".complete").write_text(" ".join(PACKAGES) + "\n")
        partial.rename(tree)
        return tree


def _prepare(root: Path) -> None:
    # A fresh machine-id at each boot (the file exists but is empty), no
    # login prompt on the console, and apt's downloaded packages not kept.
    (root / "etc/machine-id").write_text("")
    getty = root / "etc/systemd/system/console-getty.service"
    getty.unlink(missing_ok=True)
    getty.symlink_to("/dev/null")
    shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True)


# -- pip's settings, as the host has them -------------------------------------------

_PIP_FILES = ("/etc/pip.conf", "/etc/xdg/pip/pip.conf")
_PIP_USER_FILES = (".config/pip/pip.conf", ".pip/pip.conf")
_PIP_PATH_KEYS = ("cert", "client-cert", "find-links", "index-url", "extra-index-url")


def pip_settings() -> tuple[dict[str, str], list[str], dict[str, str]]:
    """This machine's pip configuration, to be given to the container.

    Returns (container path -> host config file, host paths those settings
    name (certificate bundles, local indexes and wheel directories: bound
    read-only at the same place), the ``PIP_*`` environment variables).
    The container's root reads the files at root's locations.
    """
    files: dict[str, str] = {}
    for name in _PIP_FILES:
        if Path(name).is_file():
            files[name] = name
    home = Path.home()
    for rel in _PIP_USER_FILES:
        if (home / rel).is_file():
            files[f"/root/{rel}"] = str(home / rel)
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    if "PIP_CONFIG_FILE" in env and Path(env["PIP_CONFIG_FILE"]).is_file():
        files[env["PIP_CONFIG_FILE"]] = env["PIP_CONFIG_FILE"]
    values = [v for k, v in env.items() if k[4:].lower().replace("_", "-") in _PIP_PATH_KEYS]
    for host in files.values():
        parser = configparser.ConfigParser(interpolation=None)
        with contextlib.suppress(configparser.Error, OSError):
            parser.read(host)
        for section in parser.sections():
            values += [parser[section][k] for k in _PIP_PATH_KEYS if k in parser[section]]
    paths = []
    for value in values:
        for word in value.split():
            path = urlparse(word).path.rstrip("/") if word.startswith("file:") else word
            # A local index links its files relative to its root, above "simple".
            if path.endswith("/simple"):
                path = path.rsplit("/", 1)[0]
            if path.startswith("/") and Path(path).exists() and path not in paths:
                paths.append(path)
    return files, paths, env


# -- the running container ---------------------------------------------------------


class Container:
    """A booted copy of the cached tree; :meth:`run` executes inside it as root."""

    def __init__(self, tree: Path, work: Path, binds: dict[str, str], name: str) -> None:
        self.tree, self.work, self.binds, self.name = tree, work, binds, name
        self.root = work / "root"
        self.env: dict[str, str] = {}
        self._nspawn: subprocess.Popen[bytes] | None = None
        self._mounted = False
        self.leader = 0

    def start(self, files: dict[str, str] | None = None) -> None:
        """Mount the overlay, copy ``files`` (inside path -> host path) in, boot."""
        for d in ("upper", "ovl", "root"):
            (self.work / d).mkdir(parents=True, exist_ok=True)
        opts = f"lowerdir={self.tree},upperdir={self.work / 'upper'},workdir={self.work / 'ovl'}"
        subprocess.run(
            ["mount", "-t", "overlay", "overlay", "-o", opts, str(self.root)],
            check=True,
            capture_output=True,
            timeout=30,
        )
        self._mounted = True
        for timer in QUIET:
            # Masked: they would change files while the tests compare listings.
            (self.root / "etc/systemd/system" / timer).symlink_to("/dev/null")
        for inside, host in (files or {}).items():
            target = self.root / inside.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(host, target)
        cmd = [
            "systemd-nspawn",
            "--boot",
            f"--directory={self.root}",
            f"--machine={self.name}",
            "--register=no",
            "--keep-unit",
            "--console=read-only",
        ]
        cmd += [f"--bind-ro={host}:{inside}" for inside, host in self.binds.items()]
        with open(self.work / "console.log", "wb") as log:
            self._nspawn = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self.leader = self._find_leader()
        self._wait_booted()

    def _find_leader(self) -> int:
        assert self._nspawn is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._nspawn.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited {self._nspawn.returncode}: {self.log()}")
            kids = Path(f"/proc/{self._nspawn.pid}/task/{self._nspawn.pid}/children")
            with contextlib.suppress(OSError, ValueError):
                for pid in kids.read_text().split():
                    # Until it execs init, the child is systemd-nspawn setting up.
                    if Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                        return int(pid)
            time.sleep(0.05)
        raise RuntimeError(f"no container init after 30 s: {self.log()}")

    def _wait_booted(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        state = ""
        while time.monotonic() < deadline:
            res = self.run("systemctl is-system-running --wait", timeout=BOOT_TIMEOUT)
            state = res.stdout.strip()
            # "degraded" is booted too: the tests look at their own unit.
            if state in ("running", "degraded"):
                return
            # "offline" or no answer: init has not opened its socket yet.
            time.sleep(0.2)
        raise RuntimeError(f"container did not boot ({state}): {self.log()}")

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.work / "console.log").read_text(errors="replace")[-3000:]
        return ""

    def run(
        self, script: str, *, user: str | None = None, timeout: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        """Run a shell script inside as root, or as ``user`` through a login shell."""
        inner = ["/bin/sh", "-c", script]
        if user is not None:
            inner = ["runuser", "--login", user, "--command", script]
        env = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", **self.env}
        cmd = ["nsenter", f"--target={self.leader}", "--all", "--", "env", "-i"]
        cmd += [f"{k}={v}" for k, v in env.items()]
        return subprocess.run(
            cmd + inner,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def stop(self) -> None:
        """Power the container off (killing it if it will not go), drop the copy."""
        if self._nspawn is not None and self._nspawn.poll() is None:
            # systemd-nspawn turns SIGTERM into an orderly poweroff of the container.
            self._nspawn.send_signal(signal.SIGTERM)
            try:
                self._nspawn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._nspawn.kill()
                self._nspawn.wait(timeout=10)
        if self._mounted:
            subprocess.run(["umount", str(self.root)], check=False, timeout=30)
            self._mounted = False
        shutil.rmtree(self.work, ignore_errors=True)


@contextlib.contextmanager
def booted(work: Path, binds: dict[str, str], files: dict[str, str]) -> Iterator[Container]:
    """A fresh Bookworm container, powered off and thrown away afterwards."""
    box = Container(rootfs(), work, binds, name=f"assettrack-test-{os.getpid()}")
    try:
        box.start(files)
        yield box
    finally:
        box.stop()
