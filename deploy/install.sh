#!/usr/bin/env bash
# Install AssetTrack on a Raspberry Pi OS (Bookworm) system from this checkout.
# Safe to run again: it converges on the same result and never overwrites
# /etc/assettrack/assettrack.toml. See docs/deployment.md.
set -euo pipefail

PROG=install
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"

SERVICE_USER=assettrack
SERVICE_GROUPS=(gpio i2c dialout)
PREFIX=/opt/assettrack
VENV=$PREFIX/venv
CONF_DIR=/etc/assettrack
CONF=$CONF_DIR/assettrack.toml
UNIT=/etc/systemd/system/assettrack.service
UDEV_RULE=/etc/udev/rules.d/99-assettrack-scanner.rules
CLI_LINK=/usr/local/bin/assettrack
STATE_DIR=/var/lib/assettrack
DB=$STATE_DIR/assettrack.db

EXAMPLE=$REPO/deploy/assettrack.example.toml
USB_VENDOR=""
USB_PRODUCT=""
ENABLE_I2C=0
NO_PIP=0
NO_START=0
STAFF=()
REBOOT_NEEDED=0

usage() {
    cat <<EOF
Usage: sudo deploy/install.sh [options]

Install the AssetTrack kiosk service from this checkout ($REPO):
apt packages, the '$SERVICE_USER' system user, a virtualenv in $VENV,
$CONF (only if absent), the database $DB
(created empty with 'assettrack init' if absent), $UNIT,
the scanner's udev rule, then enable and start the service and run
'assettrack doctor'.
Running it again updates the program and unit and keeps your configuration.

Options:
  --enable-i2c          turn on the I2C bus for the OLED (raspi-config, or
                        dtparam=i2c_arm=on in /boot/firmware/config.txt)
  --usb-vendor HEX      scanner USB vendor id (default: [scanner] usb_vendor
                        in the config)
  --usb-product HEX     scanner USB product id (default: [scanner] usb_product)
  --staff USER          add USER to the '$SERVICE_USER' group so they can run
                        the assettrack CLI without sudo (repeatable)
  --example-config FILE config to install when none exists
                        (default: deploy/assettrack.example.toml)
  --no-start            install and enable, but do not (re)start the service
  --no-pip              skip creating the virtualenv and installing the program
  --dest DIR            install into the staging root DIR: files land under
                        DIR/etc, DIR/opt, ...; apt-get, useradd, systemctl,
                        udevadm and raspi-config are printed, not run
  --dry-run             print every step and change nothing
  -h, --help            show this help

Examples:
  sudo deploy/install.sh --enable-i2c --staff "\$USER"
  deploy/install.sh --dry-run
  deploy/install.sh --dest /tmp/stage --no-pip
EOF
}

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --enable-i2c) ENABLE_I2C=1 ;;
        --usb-vendor) need_arg "$@"; USB_VENDOR=$2; shift ;;
        --usb-vendor=*) USB_VENDOR=${1#*=} ;;
        --usb-product) need_arg "$@"; USB_PRODUCT=$2; shift ;;
        --usb-product=*) USB_PRODUCT=${1#*=} ;;
        --staff) need_arg "$@"; STAFF+=("$2"); shift ;;
        --example-config) need_arg "$@"; EXAMPLE=$2; shift ;;
        --no-start) NO_START=1 ;;
        --no-pip) NO_PIP=1 ;;
        --dest) need_arg "$@"; set_dest "$2"; shift ;;
        --dest=*) set_dest "${1#*=}" ;;
        --dry-run) DRY_RUN=1 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

require_root_if_live
if [[ -z $DEST ]]; then
    for u in ${STAFF[@]+"${STAFF[@]}"}; do
        getent passwd "$u" >/dev/null || die "--staff $u: no such user"
    done
fi
(( DRY_RUN )) && say "dry run: nothing will be changed"
[[ -n $DEST ]] && say "staging into $DEST: the live system is not touched"

# Normalise a USB id ("0x05E0" -> "05e0"); empty stays empty.
norm_usb_id() {
    local v=${1,,}
    v=${v#0x}
    [[ -z $v || $v =~ ^[0-9a-f]{4}$ ]] || die "bad USB id '$1': expected 4 hex digits, e.g. 05e0 (see lsusb)"
    printf '%s' "$v"
}

# Print "VENDOR PRODUCT" from the [scanner] table of a TOML config.
read_usb_ids() {
    python3 - "$1" <<'PYEOF'
import sys
import tomllib

try:
    with open(sys.argv[1], "rb") as f:
        cfg = tomllib.load(f)
except (OSError, tomllib.TOMLDecodeError) as e:
    sys.exit(f"install: error: cannot read {sys.argv[1]}: {e}")
scanner = cfg.get("scanner", {})


def hexid(v):
    if isinstance(v, int):
        return f"{v:04x}"
    return str(v or "").strip() or "-"


print(hexid(scanner.get("usb_vendor")), hexid(scanner.get("usb_product")))
PYEOF
}

pkg_installed() {
    command -v dpkg-query >/dev/null 2>&1 || return 1
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# --- 1. packages -------------------------------------------------------------
# Python libraries come from Debian where Debian has them: python3-systemd
# (no compiler and libsystemd headers needed on a Pi Zero), Pillow (slow to
# build on a Pi), pyserial, smbus2, and python3-lgpio from the Raspberry Pi
# OS archive, built for the running kernel's gpiochip interface. The venv is
# created with --system-site-packages so pip sees them and installs only
# what Debian lacks (luma.oled, a gpiozero >= 2.0 where the system one is
# older).
step_packages() {
    say "step 1/9: system packages"
    local want=(python3 python3-venv python3-pip python3-systemd python3-serial
                python3-pil python3-smbus2 i2c-tools)
    local missing=() p
    LGPIO_FROM_PIP=0
    if pkg_installed python3-lgpio; then
        want+=(python3-lgpio)
    elif [[ -z $DEST ]] && command -v apt-cache >/dev/null 2>&1 \
            && apt-cache show python3-lgpio >/dev/null 2>&1; then
        want+=(python3-lgpio)
    else
        # Plain Debian has no python3-lgpio (Raspberry Pi OS does). A staging
        # root is not checked against the apt sources at all.
        LGPIO_FROM_PIP=1
        say "python3-lgpio not available from apt here: lgpio will come from pip"
    fi
    for p in "${want[@]}"; do pkg_installed "$p" || missing+=("$p"); done
    if (( ${#missing[@]} == 0 )); then
        say "all packages present: ${want[*]}"
        return 0
    fi
    sys apt-get update -q
    sys env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# --- 2. service user ---------------------------------------------------------
step_user() {
    say "step 2/9: system user '$SERVICE_USER' (groups: ${SERVICE_GROUPS[*]})"
    local g
    # SupplementaryGroups= in the unit fails the start if a group is missing;
    # Raspberry Pi OS has all three, other Debian systems may lack gpio/i2c.
    # (Read-only look-ups of the live system are fine in --dry-run too.)
    for g in "${SERVICE_GROUPS[@]}"; do
        if [[ -z $DEST ]] && getent group "$g" >/dev/null; then continue; fi
        sys groupadd --system "$g"
    done
    if [[ -z $DEST ]] && getent passwd "$SERVICE_USER" >/dev/null; then
        say "user $SERVICE_USER exists"
    else
        sys useradd --system --user-group --home-dir /var/lib/assettrack --no-create-home \
            --shell /usr/sbin/nologin --comment "AssetTrack kiosk" "$SERVICE_USER"
    fi
    local groups_csv
    groups_csv=$(IFS=,; printf '%s' "${SERVICE_GROUPS[*]}")
    sys usermod --append --groups "$groups_csv" "$SERVICE_USER"
    local u
    for u in ${STAFF[@]+"${STAFF[@]}"}; do
        sys usermod --append --groups "$SERVICE_USER" "$u"
        say "$u can use the assettrack CLI after logging in again"
    done
}

# --- 3. program --------------------------------------------------------------
step_program() {
    say "step 3/9: program in $VENV"
    if (( NO_PIP )); then
        say "skipping the virtualenv (--no-pip)"
    else
        local py target src spec
        target=$(at "$VENV")
        py=$target/bin/python
        # Build from a copy so running as root leaves no root-owned build/
        # or *.egg-info in the technician's checkout.
        src=$REPO
        if (( ! DRY_RUN )); then
            src=$(mktemp -d /tmp/assettrack-src.XXXXXX)
            # shellcheck disable=SC2064  # expand now: $src is local
            trap "rm -rf '$src'" EXIT
            tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./data \
                --exclude=./build --exclude='*.egg-info' -cf - . | tar -C "$src" -xf -
        fi
        act mkdir -p "$(at "$PREFIX")"
        act python3 -m venv --system-site-packages "$target"
        # --no-cache-dir: nothing of ours is left in root's home.
        local pip=("$py" -m pip --quiet --disable-pip-version-check --no-cache-dir)
        # Built once (a build fetches its own setuptools), installed twice:
        # the project itself always (same version number, new code), its
        # dependencies only when missing or too old.
        act "${pip[@]}" wheel --no-deps --wheel-dir "$src/dist" "$src"
        local wheel=$src/dist/assettrack-VERSION-py3-none-any.whl wheels
        if (( ! DRY_RUN )); then
            wheels=("$src"/dist/assettrack-*.whl)
            wheel=${wheels[0]}
        fi
        spec=$wheel
        (( LGPIO_FROM_PIP )) && spec="${wheel}[pi]"
        act "${pip[@]}" install --no-deps --force-reinstall "$wheel"
        act "${pip[@]}" install "$spec"
    fi
    act mkdir -p "$(at "$(dirname "$CLI_LINK")")"
    act ln -sfn "$VENV/bin/assettrack" "$(at "$CLI_LINK")"
}

# --- 4. configuration --------------------------------------------------------
step_config() {
    say "step 4/9: configuration $CONF"
    act install -d -m 0750 "$(at "$CONF_DIR")"
    sys chown "root:$SERVICE_USER" "$CONF_DIR"
    if [[ -e $(at "$CONF") ]]; then
        say "keeping existing $CONF (never overwritten; compare with $EXAMPLE)"
    else
        [[ -f $EXAMPLE ]] || die "example config $EXAMPLE not found (pass --example-config FILE)"
        act install -m 0640 "$EXAMPLE" "$(at "$CONF")"
        sys chown "root:$SERVICE_USER" "$CONF"
        say "edit $CONF for this site, then: sudo systemctl restart assettrack"
    fi
}

# --- 5. database ---------------------------------------------------------------
# The service and the staff in its group share $STATE_DIR: group-writable and
# setgid (as the unit's StateDirectoryMode=), so the database, its -wal and
# -shm stay the group's whoever opens it first. The database is created here,
# on purpose, by `assettrack init` as the service user: the daemon never
# creates one. An existing one is kept, and given the shared owner and modes.
# As the CLI would run: the unit's directory variables, the installed config.
as_service() {
    sys runuser -u "$SERVICE_USER" -- env STATE_DIRECTORY="$STATE_DIR" \
        RUNTIME_DIRECTORY=/run/assettrack CONFIGURATION_DIRECTORY="$CONF_DIR" \
        "$VENV/bin/assettrack" --config "$CONF" "$@"
}

step_database() {
    say "step 5/9: database $DB"
    act install -d -m 2770 "$(at "$STATE_DIR")"
    sys chown "$SERVICE_USER:$SERVICE_USER" "$STATE_DIR"
    # install -d leaves the mode of an existing directory alone.
    act chmod 2770 "$(at "$STATE_DIR")"
    local f
    # Files an earlier version (or a root command) left 0640 or root's.
    for f in "$(at "$STATE_DIR")"/*.db "$(at "$STATE_DIR")"/*.db-wal "$(at "$STATE_DIR")"/*.db-shm; do
        [[ -e $f ]] || continue
        sys chown "$SERVICE_USER:$SERVICE_USER" "${f#"$DEST"}"
        act chmod 0660 "$f"
    done
    if [[ -e $(at "$DB") ]]; then
        say "keeping the existing database"
    else
        # With [database] path set elsewhere, init leaves an existing file as it is.
        as_service init
    fi
}

# --- 6. systemd unit ---------------------------------------------------------
step_unit() {
    say "step 6/9: systemd unit $UNIT"
    write_file "$UNIT" 0644 "$(cat "$REPO/assettrack.service")"
    sys systemctl daemon-reload
}

# --- 7. udev rule for the scanner --------------------------------------------
step_udev() {
    say "step 7/9: udev rule $UDEV_RULE"
    local src ids vendor product
    src=$(at "$CONF")
    [[ -f $src ]] || src=$EXAMPLE
    vendor=$USB_VENDOR; product=$USB_PRODUCT
    if [[ (-z $vendor || -z $product) && -f $src ]]; then
        ids=$(read_usb_ids "$src")
        [[ -n $vendor ]] || vendor=${ids%% *}
        [[ -n $product ]] || product=${ids##* }
    fi
    [[ $vendor == - ]] && vendor=""
    [[ $product == - ]] && product=""
    vendor=$(norm_usb_id "$vendor")
    product=$(norm_usb_id "$product")

    local match header
    header="# Managed by AssetTrack deploy/install.sh; rerun it to change.
# Gives the barcode scanner (USB-serial / CDC-ACM mode) the stable name
# /dev/assettrack-scanner, owned by group dialout, and keeps ModemManager
# from probing it with AT commands."
    if [[ -n $vendor && -n $product ]]; then
        say "scanner USB id $vendor:$product"
        match="ATTRS{idVendor}==\"$vendor\", ATTRS{idProduct}==\"$product\""
    else
        warn "no scanner USB id in $src or on the command line: the rule matches any"
        warn "USB-serial device; with more than one attached, rerun with --usb-vendor/--usb-product"
        match="KERNEL==\"ttyACM[0-9]*\", SUBSYSTEMS==\"usb\""
    fi
    write_file "$UDEV_RULE" 0644 "$header
SUBSYSTEM==\"tty\", $match, SYMLINK+=\"assettrack-scanner\", GROUP=\"dialout\", MODE=\"0660\", ENV{ID_MM_DEVICE_IGNORE}=\"1\""
    if sys udevadm control --reload-rules; then
        sys udevadm trigger --action=add --subsystem-match=tty
    else
        # No udev daemon (a container, a chroot): nothing to reload now.
        warn "udev is not running here: the rule takes effect when udev next starts (at boot)"
    fi
}

# --- 8. I2C ------------------------------------------------------------------
step_i2c() {
    if (( ! ENABLE_I2C )); then
        say "step 8/9: I2C left as it is (pass --enable-i2c to turn it on)"
        return 0
    fi
    say "step 8/9: enabling I2C"
    if [[ -z $DEST ]] && command -v raspi-config >/dev/null 2>&1; then
        if [[ $(raspi-config nonint get_i2c) == 0 ]]; then
            say "I2C already enabled"
        else
            sys raspi-config nonint do_i2c 0
        fi
        [[ -e /dev/i2c-1 ]] || REBOOT_NEEDED=1
        return 0
    fi
    # Without raspi-config (or when staging): the same two changes by hand.
    local cfg
    cfg=/boot/firmware/config.txt
    [[ -f $(at "$cfg") || ! -f $(at /boot/config.txt) ]] || cfg=/boot/config.txt
    if [[ -f $(at "$cfg") ]]; then
        if grep -Eq '^[[:space:]]*dtparam=i2c_arm=on' "$(at "$cfg")"; then
            say "dtparam=i2c_arm=on already in $cfg"
        else
            if (( DRY_RUN )); then
                printf '  would append dtparam=i2c_arm=on to %s\n' "$(at "$cfg")"
            else
                printf '\n# AssetTrack: I2C bus for the OLED\ndtparam=i2c_arm=on\n' >>"$(at "$cfg")"
                say "added dtparam=i2c_arm=on to $cfg"
            fi
            REBOOT_NEEDED=1
        fi
    else
        warn "no $cfg: enable I2C with raspi-config (Interface Options > I2C)"
    fi
    write_file /etc/modules-load.d/assettrack-i2c.conf 0644 "# AssetTrack: /dev/i2c-* for the OLED
i2c-dev"
    sys modprobe i2c-dev
}

# --- 9. service ----------------------------------------------------------------
step_service() {
    say "step 9/9: service"
    sys systemctl enable assettrack.service
    if (( REBOOT_NEEDED )); then
        say "I2C was just enabled and needs a reboot: sudo reboot, then run 'assettrack doctor'"
        return 0
    fi
    if (( NO_START )); then
        say "not starting the service (--no-start): sudo systemctl restart assettrack"
    elif ! sys systemctl restart assettrack.service; then
        warn "the service did not start; see: journalctl -u assettrack -n 50"
    fi
    say "checking the installation: assettrack doctor"
    if ! as_service doctor; then
        warn "assettrack doctor reported problems (above); see docs/deployment.md, Troubleshooting"
        exit 3
    fi
}

step_packages
step_user
step_program
step_config
step_database
step_unit
step_udev
step_i2c
step_service
if (( DRY_RUN )); then
    say "dry run finished: nothing was changed"
elif [[ -n $DEST ]]; then
    say "staged into $DEST"
else
    say "done: AssetTrack is installed and running (journalctl -u assettrack -f)"
fi
