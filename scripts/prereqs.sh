#!/bin/sh
# Install the system packages the Python environment needs to build, and
# only those missing. systemd-python compiles against libsystemd, so a fresh
# Debian / Raspberry Pi OS needs its headers, pkg-config, a C compiler and
# the Python headers; Debian also splits venv out of python3.
#
# With "test", also the checkers the suite runs on the deployment files:
# the shell linter, systemd-analyze (package systemd) for the unit; what
# the deployment test boots a Debian Bookworm container with: debootstrap
# builds its root file system, systemd-nspawn (systemd-container) boots it;
# and the readers the label tests decode printed sheets with: pdftoppm
# (poppler-utils), zbarimg (zbar-tools) and dmtxread (dmtx-utils); and
# PostgreSQL's server binaries (initdb, pg_ctl), which the fleet tests start
# in a temporary directory (Debian keeps them in /usr/lib/postgresql/*/bin).
set -eu

PY="${PYTHON:-python3}"
missing=""

pkg-config --exists libsystemd 2>/dev/null || missing="$missing libsystemd-dev pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
"$PY" - <<'PYEOF' 2>/dev/null || missing="$missing python3-dev"
import os, sysconfig, sys
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)
PYEOF
"$PY" -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
if [ "${1:-}" = "test" ]; then
    command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
    command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
    command -v dmtxread >/dev/null 2>&1 || missing="$missing dmtx-utils"
    command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
    command -v systemd-nspawn >/dev/null 2>&1 || missing="$missing systemd-container"
    if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        missing="$missing postgresql"
    fi
    command -v runuser >/dev/null 2>&1 || missing="$missing util-linux"
fi

[ -z "$missing" ] && exit 0

echo "prereqs: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Wait for another apt run (unattended upgrades, a parallel job) instead of
# failing on its lock.
LOCK="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
$SUDO apt-get $LOCK update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get $LOCK install -y -qq $missing >/dev/null
