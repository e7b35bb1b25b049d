#!/bin/sh
# Install the system packages the Python environment needs to build, and
# only those missing. systemd-python compiles against libsystemd, so a fresh
# Debian / Raspberry Pi OS needs its headers, pkg-config, a C compiler and
# the Python headers; Debian also splits venv out of python3.
#
# With "test", also the checkers the suite runs on the deployment files:
# the shell linter and systemd-analyze (package systemd) for the unit, and
# the readers the label tests decode printed sheets with: pdftoppm
# (poppler-utils), zbarimg (zbar-tools) and dmtxread (dmtx-utils).
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
fi

[ -z "$missing" ] && exit 0

echo "prereqs: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
