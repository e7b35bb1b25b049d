#!/usr/bin/env bash
# Remove AssetTrack from this system. Keeps the database (/var/lib/assettrack)
# and the configuration (/etc/assettrack) unless --purge is given.
set -euo pipefail

PROG=uninstall
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"

SERVICE_USER=assettrack
UNIT=/etc/systemd/system/assettrack.service
UDEV_RULE=/etc/udev/rules.d/99-assettrack-scanner.rules
CLI_LINK=/usr/local/bin/assettrack
PREFIX=/opt/assettrack
STATE_DIR=/var/lib/assettrack
CONF_DIR=/etc/assettrack
PURGE=0

usage() {
    cat <<EOF
Usage: sudo deploy/uninstall.sh [options]

Stop, disable and remove the assettrack service, its udev rule, the program
in $PREFIX and the $CLI_LINK command.
The database ($STATE_DIR) and the configuration ($CONF_DIR)
stay unless --purge is given.

Options:
  --purge       also delete $STATE_DIR, $CONF_DIR and the '$SERVICE_USER'
                user and group: the database is gone for good (take a backup first:
                assettrack backup ~/assettrack-\$(date +%F).db)
  --dest DIR    remove from the staging root DIR; systemctl, udevadm and
                userdel are printed, not run
  --dry-run     print every step and change nothing
  -h, --help    show this help
EOF
}

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --purge) PURGE=1 ;;
        --dest) need_arg "$@"; set_dest "$2"; shift ;;
        --dest=*) set_dest "${1#*=}" ;;
        --dry-run) DRY_RUN=1 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

require_root_if_live
(( DRY_RUN )) && say "dry run: nothing will be changed"
[[ -n $DEST ]] && say "working in the staging root $DEST: the live system is not touched"

say "stopping and disabling the service"
if [[ -n $DEST || -e $UNIT ]] || systemctl cat assettrack.service >/dev/null 2>&1; then
    # '|| true': a unit that is already stopped or disabled is not an error.
    sys systemctl disable --now assettrack.service || true
    sys systemctl reset-failed assettrack.service 2>/dev/null || true
else
    say "service not installed"
fi

say "removing the unit, udev rule, program and CLI link"
remove "$UNIT" "$UDEV_RULE" "$PREFIX"
link=$(at "$CLI_LINK")
if [[ -L $link && $(readlink "$link") == "$PREFIX/"* ]]; then
    remove "$CLI_LINK"
elif [[ -e $link || -L $link ]]; then
    warn "$CLI_LINK is not ours (not a link into $PREFIX): left alone"
fi
sys systemctl daemon-reload
if ! sys udevadm control --reload-rules; then
    warn "udev is not running here: nothing to reload"
fi

if (( PURGE )); then
    say "purging the database, configuration and service user"
    remove "$STATE_DIR" "$CONF_DIR" /etc/modules-load.d/assettrack-i2c.conf
    if [[ -n $DEST ]] || getent passwd "$SERVICE_USER" >/dev/null; then
        sys userdel "$SERVICE_USER"
    fi
    # userdel keeps a user's group while staff are still members of it.
    if [[ -z $DEST ]] && getent group "$SERVICE_USER" >/dev/null; then
        sys groupdel "$SERVICE_USER"
    fi
else
    for d in "$STATE_DIR" "$CONF_DIR"; do
        if [[ -e $(at "$d") ]]; then say "kept $d (use --purge to delete it)"; fi
    done
fi

if (( DRY_RUN )); then
    say "dry run finished: nothing was changed"
else
    say "done"
fi
