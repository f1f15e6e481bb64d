#!/bin/sh
# `systemd-analyze verify` on the shipped units (systemd/), with ExecStart pointed at the
# jejak and jejak-authority binaries just built (verify insists that commands exist). Skips
# (exit 77) where systemd-analyze is missing, e.g. in a minimal container.
# Usage: verify_units.sh SOURCE_DIR JEJAK_BINARY JEJAK_AUTHORITY_BINARY
set -eu
src=$1
bin=$2
authority_bin=$3
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skipped: systemd-analyze is not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
units="jejak.service jejak-check.service jejak-check.timer jejak-authority.service
    jejak-authority-export.service jejak-authority-export.timer"
for unit in $units; do
    sed "s#/usr/bin/jejak-authority#$authority_bin#g; s#/usr/bin/jejak #$bin #g" \
        "$src/systemd/$unit" >"$work/$unit"
done
cd "$work"
# --man=no: the man page is installed by the package, not present in a build tree.
# shellcheck disable=SC2086
systemd-analyze verify --man=no $(for u in $units; do echo "./$u"; done)
# The export worker reaches its PostgreSQL host over TCP (regression: PrivateNetwork=yes and
# AF_UNIX alone stopped it), and only the database's kinds of address.
export_unit="$src/systemd/jejak-authority-export.service"
if grep -q '^PrivateNetwork=yes' "$export_unit" ||
    ! grep -q '^RestrictAddressFamilies=.*AF_INET6' "$export_unit" ||
    ! grep -q '^IPAddressAllow=.*localhost' "$export_unit"; then
    echo "jejak-authority-export.service cannot reach a PostgreSQL host over TCP"
    exit 1
fi
echo "units verify cleanly"
