# shellcheck shell=bash
# Helpers shared by deploy/install.sh and deploy/uninstall.sh.
#
# Three modes:
#   live       (default)  change the system; must run as root
#   --dest DIR            write files under DIR only; commands that change the
#                         live system (apt-get, useradd, systemctl, udevadm,
#                         raspi-config, chown) are printed, never run
#   --dry-run             print every step, change nothing at all

DEST=""
DRY_RUN=0
PROG=${PROG:-assettrack}

say()  { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die()  { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

# Shell-quote a command line for display (plain words stay as they are).
quote() {
    local out="" a q="'"
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
            out+="$a "
        else
            out+="$q${a//$q/$q\\$q$q}$q "
        fi
    done
    printf '%s' "${out% }"
}

# A command that changes the live system: only run in live mode.
sys() {
    if (( DRY_RUN )) || [[ -n $DEST ]]; then
        printf '  would run: %s\n' "$(quote "$@")"
        return 0
    fi
    printf '  + %s\n' "$(quote "$@")"
    "$@"
}

# A command that changes files under the target root: run unless --dry-run.
act() {
    if (( DRY_RUN )); then
        printf '  would run: %s\n' "$(quote "$@")"
        return 0
    fi
    printf '  + %s\n' "$(quote "$@")"
    "$@"
}

# A path on the target system (inside the staging root under --dest).
at() { printf '%s%s' "$DEST" "$1"; }

live() { (( ! DRY_RUN )) && [[ -z $DEST ]]; }

# Validate and normalise a --dest argument.
set_dest() {
    local d=$1
    [[ -n $d ]] || die "--dest needs a directory"
    [[ $d == /* ]] || d="$PWD/$d"
    d=${d%/}
    [[ -n $d ]] || die "--dest / is the live system: run without --dest instead"
    DEST=$d
}

require_root_if_live() {
    if live && (( EUID != 0 )); then
        die "must run as root on the live system (use sudo), or pass --dest DIR / --dry-run"
    fi
}

# write_file PATH MODE CONTENT: write CONTENT to PATH (under the target root)
# with MODE, reporting whether anything changed.
write_file() {
    local path mode content tmp
    path=$(at "$1"); mode=$2; content=$3
    if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then
        act chmod "$mode" "$path"
        say "unchanged: $1"
        return 0
    fi
    if (( DRY_RUN )); then
        printf '  would write %s (mode %s):\n' "$path" "$mode"
        printf '%s\n' "$content" | sed 's/^/    | /'
        return 0
    fi
    mkdir -p "$(dirname "$path")"
    tmp=$(mktemp "$path.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
    say "wrote: $1"
}

# remove PATH... (under the target root), quietly skipping what is absent.
remove() {
    local p t
    for p in "$@"; do
        t=$(at "$p")
        if [[ -e $t || -L $t ]]; then
            act rm -rf -- "$t"
        else
            say "already absent: $p"
        fi
    done
}
