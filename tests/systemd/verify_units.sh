#!/bin/sh
# `systemd-analyze verify` on the shipped units (systemd/), with ExecStart pointed at the
# jejak binary just built (verify insists that commands exist). Skips (exit 77) where
# systemd-analyze is missing, e.g. in a minimal container.
# Usage: verify_units.sh SOURCE_DIR JEJAK_BINARY
set -eu
src=$1
bin=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skipped: systemd-analyze is not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in jejak.service jejak-check.service jejak-check.timer; do
    sed "s#/usr/bin/jejak#$bin#g" "$src/systemd/$unit" >"$work/$unit"
done
cd "$work"
# --man=no: the man page is installed by the package, not present in a build tree.
systemd-analyze verify --man=no ./jejak.service ./jejak-check.service ./jejak-check.timer
echo "units verify cleanly"
