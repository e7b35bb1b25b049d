"""The installed kiosk under a real systemd, in a booted Debian Bookworm container.

One container per run (see :mod:`tests.deploy.bookworm`): a fresh copy of
a cached Bookworm tree boots with ``systemd-nspawn -b``, gets this
machine's pip settings, and ``deploy/install.sh --staff tester`` installs
the checkout with a simulated-hardware config, as a technician would on a
Pi. The tests below then run in order against that one installation:
the service's start, a staff account's work, the watchdog, stopping, the
sandbox rating, a second install and the removal.

First run: a few minutes for debootstrap (the tree is cached). After that,
about a minute, most of it pip and the watchdog's own 20 + 5 seconds.
"""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

import pytest

from tests.deploy import SIM_DEVICES, bookworm

REPO = Path(__file__).resolve().parents[2]
SRC = "/srv/assettrack"
STAFF = "tester"
STATE = "/var/lib/assettrack"
DB = f"{STATE}/assettrack.db"
# Everywhere the installer writes, for the before/after comparisons.
OURS = (
    "/opt/assettrack",
    "/etc/assettrack",
    STATE,
    "/etc/systemd/system",
    "/etc/udev/rules.d",
    "/usr/local/bin",
)
# What a file-system listing leaves out: kernel and runtime file systems,
# temporary directories, the journal, and the checkout bound in read-only.
SKIP = ("/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log/journal", "/srv")

reason = bookworm.unavailable()
pytestmark = [
    pytest.mark.skipif(reason is not None, reason=reason or ""),
    # One container, one worker, these tests in this order.
    pytest.mark.xdist_group("bookworm"),
    # The first run builds the tree with debootstrap before the first test.
    pytest.mark.timeout(1200),
]


def listing(box: bookworm.Container, *roots: str) -> dict[str, str]:
    """Path -> "mode owner:group size" for every file under ``roots`` (or all of /)."""
    prune = " -o ".join(f"-path {p}" for p in SKIP)
    where = " ".join(roots) if roots else "/"
    res = box.run(
        f"find {where} -xdev \\( {prune} \\) -prune -o -printf '%p\\t%m %u:%g %s\\n' 2>/dev/null"
    )
    out = {}
    for line in res.stdout.splitlines():
        path, _, meta = line.partition("\t")
        out[path] = meta
    return out


def show(box: bookworm.Container, *props: str) -> dict[str, str]:
    res = box.run("systemctl show assettrack.service " + " ".join(f"-p {p}" for p in props))
    return dict(line.split("=", 1) for line in res.stdout.splitlines() if "=" in line)


def must(res, what: str = "") -> str:
    assert res.returncode == 0, f"{what} exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res.stdout


def seconds(value: str) -> float:
    """A systemd time span as `systemctl show` prints it ("20s", "1min 30s", "500ms")."""
    units = {"ms": 0.001, "s": 1, "min": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|min|s|h)", value))


class Installed:
    """The booted container with the kiosk installed, and what the tests measured."""

    def __init__(self, box: bookworm.Container, fresh: dict[str, str], install) -> None:
        self.box, self.fresh, self.install = box, fresh, install


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    files, paths, env = bookworm.pip_settings()
    binds = {SRC: str(REPO), **{p: p for p in paths}}
    work = tmp_path_factory.mktemp("bookworm")
    with bookworm.booted(work, binds, files) as box:
        box.env = env
        must(box.run(f"useradd --create-home --shell /bin/bash {STAFF}"), "useradd")
        (box.root / "root/sim.toml").write_text(SIM_DEVICES)
        fresh = listing(box)
        install = box.run(
            f"bash {SRC}/deploy/install.sh --staff {STAFF} --example-config /root/sim.toml",
            timeout=600,
        )
        yield Installed(box, fresh, install)


def test_installer_finishes_without_udev(kiosk) -> None:
    out = must(kiosk.install, "install.sh")
    assert "udev is not running here" in kiosk.install.stderr
    assert "assettrack doctor" in out
    assert "done: AssetTrack is installed and running" in out
    # The installed program runs on Bookworm's own Pillow (9.4), not a newer wheel.
    where = "/opt/assettrack/venv/bin/python -c 'import PIL; print(PIL.__file__)'"
    pil = must(kiosk.box.run(where))
    assert pil.startswith("/usr/lib/python3/dist-packages/"), pil


def test_service_is_ready_with_a_status_line(kiosk) -> None:
    props = show(kiosk.box, "ActiveState", "SubState", "Type", "StatusText", "MainPID", "Result")
    assert props["Type"] == "notify"
    # Type=notify: "active" only once the daemon sent READY=1.
    assert (props["ActiveState"], props["SubState"]) == ("active", "running"), props
    assert props["StatusText"], "no STATUS= line from the daemon"
    status = kiosk.box.run("systemctl status --no-pager assettrack").stdout
    assert f'Status: "{props["StatusText"]}"' in status, status
    # It runs as the service user, with the device groups as well.
    ids = must(kiosk.box.run(f"grep -E '^(Uid|Gid|Groups):' /proc/{props['MainPID']}/status"))
    want = must(kiosk.box.run("id -u assettrack; id -g assettrack; id -G assettrack")).split()
    uid, gid, groups = (line.split()[1:] for line in ids.splitlines())
    assert (uid[0], gid[0]) == (want[0], want[1]), ids
    assert set(groups) == set(want[2:]), (ids, want)


def test_the_database_is_made_for_the_group(kiosk) -> None:
    meta = listing(kiosk.box, STATE)
    assert meta[STATE].split()[:2] == ["2770", "assettrack:assettrack"], meta
    assert meta[DB].split()[:2] == ["660", "assettrack:assettrack"], meta


def test_staff_work_without_sudo(kiosk) -> None:
    box = kiosk.box
    groups = must(box.run("id -nG", user=STAFF)).split()
    assert "assettrack" in groups and "sudo" not in groups
    assert box.run("command -v sudo", user=STAFF).returncode != 0
    for command in (
        "status",
        "case init CART-T --slots 4",
        "person add 0042 'Alice Ng'",
        "asset add LT-0001 --name 'ThinkPad T14' --into CART-T 1",
        "stock-out LT-0001 --to 0042 --days 7",
        "stock-in LT-0001",
        "doctor",
    ):
        must(box.run(f"assettrack {command}", user=STAFF), command)
    # The daemon and staff share the database: its -wal and -shm stay the group's.
    for path, meta in listing(box, STATE).items():
        if path != STATE:
            mode, owner = meta.split()[:2]
            assert int(mode, 8) & 0o060 == 0o060 and owner.endswith(":assettrack"), (path, meta)
    assert show(box, "ActiveState")["ActiveState"] == "active"


def test_root_leaves_no_root_file_in_the_state_directory(kiosk) -> None:
    box = kiosk.box
    for command in ("doctor", "asset list", "log verify", "case init CART-R --slots 2"):
        must(box.run(f"assettrack {command}"), command)
    must(box.run("mkdir -p /var/backups && assettrack backup /var/backups/at.db"), "backup")
    copy = listing(box, "/var/backups/at.db")["/var/backups/at.db"]
    must(box.run("rm /var/backups/at.db"))
    assert copy.split()[:2] == ["640", "assettrack:assettrack"], copy
    must(box.run(f"assettrack backup {STATE}/copy.db && rm {STATE}/copy.db"), "backup")
    rooted = must(box.run(f"find {STATE} -user root -o -group root"))
    assert rooted == "", rooted


def test_watchdog_restarts_a_stopped_main_loop(kiosk) -> None:
    box = kiosk.box
    before = show(box, "MainPID", "NRestarts", "WatchdogUSec", "RestartUSec")
    limit = seconds(before["WatchdogUSec"]) + seconds(before["RestartUSec"])
    must(box.run(f"kill -STOP {before['MainPID']}"))
    stopped = time.monotonic()  # containers share the host's CLOCK_MONOTONIC
    deadline = stopped + limit + 60
    while time.monotonic() < deadline:
        now = show(box, "MainPID", "NRestarts", "ActiveState", "ExecMainStartTimestampMonotonic")
        if now["MainPID"] not in ("0", before["MainPID"]) and now["ActiveState"] == "active":
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"not restarted within {limit + 60:.0f} s: {now}")
    assert int(now["NRestarts"]) == int(before["NRestarts"]) + 1
    journal = box.run("journalctl -u assettrack --no-pager -o cat").stdout
    assert "Watchdog timeout" in journal, journal[-2000:]
    # systemd's own record of when the new process started, against the SIGSTOP.
    restarted = int(now["ExecMainStartTimestampMonotonic"]) / 1e6 - stopped
    print(f"\nwatchdog: restarted {restarted:.1f} s after SIGSTOP (limit {limit:.0f} s)")
    assert restarted <= limit, f"restarted {restarted:.1f} s after SIGSTOP, limit {limit:.0f} s"


def test_stop_is_prompt(kiosk) -> None:
    box = kiosk.box
    must(box.run("systemctl stop assettrack"), "stop")
    t = show(box, "ActiveExitTimestampMonotonic", "InactiveEnterTimestampMonotonic", "Result")
    took = int(t["InactiveEnterTimestampMonotonic"]) - int(t["ActiveExitTimestampMonotonic"])
    took /= 1e6
    print(f"\nsystemctl stop: {took:.3f} s")
    assert t["Result"] == "success", t
    assert took <= 2.0, f"stopping took {took:.2f} s"
    must(box.run("systemctl start assettrack"), "start")


def test_installed_unit_is_locked_down(kiosk) -> None:
    res = kiosk.box.run("systemd-analyze security --no-pager assettrack.service")
    m = re.search(r"Overall exposure level for assettrack.service: (\d+\.\d+)", res.stdout)
    assert m, res.stdout + res.stderr
    print(f"\nsystemd-analyze security: {m.group(1)}")
    assert float(m.group(1)) <= 1.0, res.stdout


def test_second_install_converges(kiosk) -> None:
    box = kiosk.box
    before = listing(box, *OURS)
    db = must(box.run(f"stat -c %i {DB}"))
    res = box.run(f"bash {SRC}/deploy/install.sh --staff {STAFF}", timeout=600)
    out = must(res, "second install.sh")
    assert "keeping existing /etc/assettrack/assettrack.toml" in out
    assert "keeping the existing database" in out
    assert "unchanged: /etc/systemd/system/assettrack.service" in out
    after = listing(box, *OURS)
    # The same files, owners and modes; sizes may differ in the reinstalled
    # program (pip records the build directory) and the live database.
    assert {p: m.split()[:2] for p, m in after.items()} == {
        p: m.split()[:2] for p, m in before.items()
    }
    assert must(box.run(f"stat -c %i {DB}")) == db, "the database was replaced"
    assert show(box, "ActiveState")["ActiveState"] == "active"


def test_uninstall_leaves_nothing_of_ours(kiosk) -> None:
    box = kiosk.box
    must(box.run(f"bash {SRC}/deploy/uninstall.sh"), "uninstall.sh")
    kept = sorted(p for p in set(listing(box)) - set(kiosk.fresh) if "assettrack" in p)
    assert kept and all(p.startswith((STATE, "/etc/assettrack")) for p in kept), kept
    print(f"\nkept by uninstall.sh: {kept}")

    must(box.run(f"bash {SRC}/deploy/uninstall.sh --purge"), "uninstall.sh --purge")
    after = listing(box)
    left = sorted(set(after) - set(kiosk.fresh))
    ours = [p for p in left if "assettrack" in p]
    assert ours == [], ours
    # Not ours, and all that may be new: the account files' own backup copies
    # (shadow's "file-") and apt's caches, which `apt-cache show` (the
    # installer asks apt for python3-lgpio) builds when they are missing.
    system = r"/etc/(passwd|group|shadow|gshadow)-|/var/cache/apt/(src)?pkgcache\.bin"
    assert all(re.fullmatch(system, p) for p in left), left
    print(f"\nnew after install and uninstall --purge: {left}")
    names = " ".join(f"/etc/{f}" for f in ("passwd", "group", "shadow", "gshadow"))
    mentions = box.run(f"grep -l assettrack {names}").stdout
    assert mentions == "", mentions
    assert box.run("systemctl cat assettrack.service").returncode != 0
    assert shlex.split(box.run("ls /run/assettrack 2>/dev/null").stdout) == []
