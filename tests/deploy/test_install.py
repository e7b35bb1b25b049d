"""deploy/install.sh and deploy/uninstall.sh, exercised in a staging root.

``--dest DIR`` writes every file under DIR and only prints the commands that
would change the live system (apt-get, useradd, systemctl, udevadm), and
``--no-pip`` skips the virtualenv, so these tests need neither root, network
nor systemd and take a second or two each.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
UNINSTALL = REPO / "deploy" / "uninstall.sh"
UNIT = "etc/systemd/system/assettrack.service"
CONF = "etc/assettrack/assettrack.toml"
RULE = "etc/udev/rules.d/99-assettrack-scanner.rules"
CLI_LINK = "usr/local/bin/assettrack"

EXAMPLE = """\
# test example config
[scanner]
port = "/dev/assettrack-scanner"
usb_vendor = "0x05E0"
usb_product = "1200"
"""


def run(script: Path, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        ["bash", str(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Path -> (mode, mtime_ns, content hash or link target) for everything under root."""
    out: dict[str, tuple[int, int, str]] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        if p.is_symlink():
            what = "-> " + os.readlink(p)
        elif p.is_file():
            what = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            what = "dir"
        out[str(p.relative_to(root))] = (st.st_mode, st.st_mtime_ns, what)
    return out


def mode(p: Path) -> int:
    return p.stat().st_mode & 0o7777


@pytest.fixture
def example(tmp_path: Path) -> Path:
    p = tmp_path / "example.toml"
    p.write_text(EXAMPLE)
    return p


@pytest.fixture
def stage(tmp_path: Path) -> Path:
    d = tmp_path / "root"
    d.mkdir()
    return d


def install(stage: Path, example: Path, *extra: str, check: bool = True):
    return run(
        INSTALL, "--dest", stage, "--no-pip", "--example-config", example, *extra, check=check
    )


def test_help_documents_the_modes() -> None:
    for script in (INSTALL, UNINSTALL):
        res = run(script, "--help")
        assert "--dest" in res.stdout and "--dry-run" in res.stdout
    assert "--enable-i2c" in run(INSTALL, "--help").stdout
    assert "--purge" in run(UNINSTALL, "--help").stdout


def test_unknown_option_fails_clearly() -> None:
    res = run(INSTALL, "--frobnicate", check=False)
    assert res.returncode != 0
    assert "unknown option: --frobnicate" in res.stderr


def test_staged_tree(stage: Path, example: Path) -> None:
    res = install(stage, example)

    unit = stage / UNIT
    assert unit.read_text() == (REPO / "assettrack.service").read_text()
    assert mode(unit) == 0o644

    conf = stage / CONF
    assert conf.read_text() == EXAMPLE
    assert mode(conf) == 0o640
    assert mode(conf.parent) == 0o750

    rule = (stage / RULE).read_text()
    assert mode(stage / RULE) == 0o644
    assert 'SUBSYSTEM=="tty"' in rule
    assert 'ATTRS{idVendor}=="05e0"' in rule
    assert 'ATTRS{idProduct}=="1200"' in rule
    assert 'SYMLINK+="assettrack-scanner"' in rule
    assert 'GROUP="dialout"' in rule and 'MODE="0660"' in rule
    rule_lines = [ln for ln in rule.splitlines() if ln and not ln.startswith("#")]
    assert len(rule_lines) == 1

    # Shared by the service and its group: group-writable, setgid.
    assert mode(stage / "var/lib/assettrack") == 0o2770

    link = stage / CLI_LINK
    assert link.is_symlink()
    assert os.readlink(link) == "/opt/assettrack/venv/bin/assettrack"

    # Live-system changes are only announced.
    for cmd in (
        "useradd --system",
        "usermod --append --groups gpio,i2c,dialout assettrack",
        "systemctl daemon-reload",
        "systemctl enable assettrack.service",
        "udevadm control --reload-rules",
        "chown assettrack:assettrack /var/lib/assettrack",
        "assettrack --config /etc/assettrack/assettrack.toml init",
        "assettrack --config /etc/assettrack/assettrack.toml doctor",
    ):
        assert cmd in res.stdout, cmd
    assert "+ useradd" not in res.stdout and "+ systemctl" not in res.stdout


def test_second_run_is_idempotent_and_keeps_the_config(stage: Path, example: Path) -> None:
    install(stage, example)
    conf = stage / CONF
    site = EXAMPLE.replace('"1200"', '"1201"') + "\n# edited on site\n"
    conf.write_text(site)
    before = snapshot(stage)

    res = install(stage, example)
    assert conf.read_text() == site, "existing config was overwritten"
    assert "keeping existing /etc/assettrack/assettrack.toml" in res.stdout
    assert "unchanged: /etc/systemd/system/assettrack.service" in res.stdout
    # The rule follows the installed config, not the example.
    assert 'ATTRS{idProduct}=="1201"' in (stage / RULE).read_text()
    after = snapshot(stage)
    assert set(after) == set(before)
    changed = {k for k in after if after[k][2] != before[k][2]}
    assert changed == {RULE}

    # A third run with the same config changes nothing at all.
    again = snapshot(stage)
    install(stage, example)
    assert {k: v[::2] for k, v in snapshot(stage).items()} == {k: v[::2] for k, v in again.items()}


def test_usb_ids_from_flags_win(stage: Path, example: Path) -> None:
    install(stage, example, "--usb-vendor", "1EAB", "--usb-product=0x0D22")
    rule = (stage / RULE).read_text()
    assert 'ATTRS{idVendor}=="1eab"' in rule and 'ATTRS{idProduct}=="0d22"' in rule


def test_bad_usb_id_is_rejected(stage: Path, example: Path) -> None:
    res = install(stage, example, "--usb-vendor", "xyz", check=False)
    assert res.returncode != 0
    assert "bad USB id 'xyz'" in res.stderr
    assert not (stage / RULE).exists()


def test_without_ids_the_rule_matches_any_acm_device(stage: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text('[scanner]\nport = "/dev/assettrack-scanner"\n')
    res = install(stage, bare)
    rule = (stage / RULE).read_text()
    assert 'KERNEL=="ttyACM[0-9]*"' in rule and "idVendor" not in rule
    assert "--usb-vendor" in res.stderr


def test_missing_example_config_fails_clearly(stage: Path, tmp_path: Path) -> None:
    res = install(stage, tmp_path / "nope.toml", check=False)
    assert res.returncode != 0
    assert "example config" in res.stderr and "not found" in res.stderr


def test_real_example_config_installs(stage: Path) -> None:
    example = REPO / "deploy" / "assettrack.example.toml"
    if not example.exists():
        pytest.skip("deploy/assettrack.example.toml not in this checkout yet")
    run(INSTALL, "--dest", stage, "--no-pip")
    assert (stage / CONF).read_bytes() == example.read_bytes()
    assert 'SYMLINK+="assettrack-scanner"' in (stage / RULE).read_text()


def test_enable_i2c_edits_config_txt_once(stage: Path, example: Path) -> None:
    cfg = stage / "boot" / "firmware" / "config.txt"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("dtparam=audio=on\n")
    install(stage, example, "--enable-i2c")
    install(stage, example, "--enable-i2c")
    text = cfg.read_text()
    assert text.startswith("dtparam=audio=on\n")
    assert text.count("dtparam=i2c_arm=on") == 1
    assert (
        (stage / "etc/modules-load.d/assettrack-i2c.conf").read_text().strip().endswith("i2c-dev")
    )


def test_dry_run_changes_nothing_in_a_staging_root(stage: Path, example: Path) -> None:
    install(stage, example)
    (stage / CONF).unlink()
    (stage / RULE).unlink()
    before = snapshot(stage)
    res = install(stage, example, "--dry-run", "--enable-i2c")
    assert snapshot(stage) == before
    assert "would write" in res.stdout and "nothing was changed" in res.stdout


def test_dry_run_on_the_live_system_changes_nothing(example: Path) -> None:
    live = [Path("/", p) for p in (UNIT, CONF, RULE, CLI_LINK, "opt/assettrack")]
    existed = {p: p.exists() or p.is_symlink() for p in live}
    res = run(INSTALL, "--dry-run", "--no-pip", "--example-config", example)
    assert not any(line.startswith("  + ") for line in res.stdout.splitlines()), res.stdout
    assert {p: p.exists() or p.is_symlink() for p in live} == existed
    assert "dry run finished" in res.stdout


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) not installed")
def test_live_install_requires_root() -> None:
    # As root, drop to nobody; the scripts are copied to a world-readable
    # directory because the checkout may not be readable by nobody.
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        copy = Path(tmp) / "deploy"
        shutil.copytree(REPO / "deploy", copy)
        os.chmod(tmp, 0o755)
        cmd = ["bash", str(copy / "install.sh"), "--no-pip"]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        res = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd="/"
        )
    assert res.returncode != 0
    assert "must run as root" in res.stderr, res.stderr


# --- uninstall ---------------------------------------------------------------


def installed(stage: Path, example: Path) -> Path:
    install(stage, example)
    (stage / "opt/assettrack/venv/bin").mkdir(parents=True)
    db = stage / "var/lib/assettrack/assettrack.db"
    # The installer made the directory; `assettrack init` (only announced
    # in a staging root) would have made the file.
    assert (stage / "var/lib/assettrack").is_dir()
    db.write_bytes(b"SQLite format 3\x00")
    return db


def test_uninstall_keeps_data_and_config(stage: Path, example: Path) -> None:
    db = installed(stage, example)
    res = run(UNINSTALL, "--dest", stage)
    for gone in (UNIT, RULE, CLI_LINK, "opt/assettrack"):
        assert not (stage / gone).exists() and not (stage / gone).is_symlink(), gone
    assert db.exists()
    assert (stage / CONF).read_text() == EXAMPLE
    assert "would run: systemctl disable --now assettrack.service" in res.stdout
    assert "kept /var/lib/assettrack" in res.stdout
    # Twice is fine.
    run(UNINSTALL, "--dest", stage)


def test_uninstall_purge_removes_data_and_config(stage: Path, example: Path) -> None:
    db = installed(stage, example)
    res = run(UNINSTALL, "--dest", stage, "--purge")
    assert not db.exists() and not (stage / "var/lib/assettrack").exists()
    assert not (stage / "etc/assettrack").exists()
    assert not (stage / UNIT).exists()
    assert "would run: userdel assettrack" in res.stdout


def test_uninstall_dry_run_changes_nothing(stage: Path, example: Path) -> None:
    installed(stage, example)
    before = snapshot(stage)
    run(UNINSTALL, "--dest", stage, "--purge", "--dry-run")
    assert snapshot(stage) == before


def test_uninstall_leaves_a_foreign_cli_alone(stage: Path, example: Path) -> None:
    installed(stage, example)
    link = stage / CLI_LINK
    link.unlink()
    link.symlink_to("/usr/bin/true")
    res = run(UNINSTALL, "--dest", stage)
    assert link.is_symlink()
    assert "not ours" in res.stderr
