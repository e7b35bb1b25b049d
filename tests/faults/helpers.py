"""Fault helpers: a small real tmpfs, a full disk, a write lock held by another process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.daemon.conftest import started
from tests.daemon.helpers import make_daemon, wait_for
from tests.daemon.test_end_to_end import spawn


@contextlib.contextmanager
def small_tmpfs(tmp_path, size="512k"):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill_disk(mnt):
    """Take every free byte of the mount with one file; delete it to free them."""
    filler = mnt / "filler"
    with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


#: Holds the write lock (BEGIN IMMEDIATE) of the database at argv[1] until a line on stdin.
HOLD_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("ROLLBACK")
"""


def hold_lock(db_path) -> subprocess.Popen:
    """Another process holding the database's write lock; a line on its stdin releases it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def ready(proc):
    """Wait for a spawned kiosk's READY=1; fail with its output if it died instead."""
    assert wait_for(lambda: "READY=1" in proc.systemd.lines() or proc.poll() is not None, 10)
    assert proc.poll() is None, proc.communicate()
    return proc


@contextlib.contextmanager
def kiosk_process(db_path, base, *run_args, **kw):
    """A ready ``assettrack run --sim`` (see :func:`spawn`), stopped with SIGTERM after."""
    proc = ready(spawn(db_path, base, *run_args, **kw))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.communicate()
        proc.systemd.close()


def brisk_daemon(db, factory, scanner, **kw):
    """A started daemon for tests that act faster than a person.

    No duplicate window (the same tag may be scanned twice in a row) and no
    button debounce (two presses within 50 ms are both presses).
    """
    kw = {"duplicate_window": 0, "bounce_time": 0.0, **kw}
    return started(make_daemon(db, factory, scanner, **kw))
