#!/bin/sh
# `cmake --install BUILD --prefix P` into a fresh temporary prefix writes nothing outside P:
# every file of the install manifest lies under P and exists; the units run P's binaries with
# P's configuration (<P>/etc/jejak/jejak.toml, the example). Usage: check_prefix.sh BUILD_DIR
set -eu
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*"; exit 1; }
manifest=$build/install_manifest.txt
rm -f "$manifest"
cmake --install "$build" --prefix "$prefix" >"$work/log" 2>&1 || { cat "$work/log"; fail "cmake --install"; }
[ -s "$manifest" ] || fail "no install manifest"
count=0
while IFS= read -r file || [ -n "$file" ]; do
    case $file in
        "$prefix"/*) ;;
        *) fail "installed outside the prefix: $file" ;;
    esac
    [ -e "$file" ] || fail "listed but missing: $file"
    count=$((count + 1))
done <"$manifest"
# Nothing written that the manifest does not list either.
found=$(find "$prefix" -type f | wc -l)
[ "$found" -eq "$count" ] || fail "$found files under the prefix, $count in the manifest"
for f in bin/jejak bin/jejak-authority etc/jejak/jejak.toml etc/default/jejak-authority \
    lib/systemd/system/jejak.service lib/systemd/system/jejak-check.service \
    lib/systemd/system/jejak-check.timer lib/systemd/system/jejak-authority.service; do
    [ -f "$prefix/$f" ] || fail "$f not installed"
done
grep -qx "ExecStart=$prefix/bin/jejak --config $prefix/etc/jejak/jejak.toml --state-dir /var/lib/jejak run" \
    "$prefix/lib/systemd/system/jejak.service" || fail "jejak.service ExecStart: $(grep ExecStart "$prefix/lib/systemd/system/jejak.service")"
grep -q "^ExecStart=-$prefix/bin/jejak --config $prefix/etc/jejak/jejak.toml .* keys fetch" \
    "$prefix/lib/systemd/system/jejak-check.service" || fail "jejak-check.service ExecStart"
grep -qx "EnvironmentFile=-$prefix/etc/default/jejak-authority" \
    "$prefix/lib/systemd/system/jejak-authority.service" || fail "jejak-authority EnvironmentFile"
grep -q "^ExecStart=$prefix/bin/jejak-authority " \
    "$prefix/lib/systemd/system/jejak-authority.service" || fail "jejak-authority ExecStart"
if grep -rnE '(^|[=[:space:]-])/(usr/bin/jejak|etc/jejak|etc/default)' \
    "$prefix/lib/systemd/system"; then
    fail "a unit still names a package path"
fi
# The binary's default --config is where an install with the configured prefix puts the
# example (GNUInstallDirs: /etc for /usr, <prefix>/etc otherwise).
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
case $configured in
    /usr) etc=/etc ;;
    *) etc=$configured/etc ;;
esac
"$build/bin/jejak" --help | grep -q -- "--config .*=$etc/jejak/jejak.toml" ||
    fail "jejak's default --config is not $etc/jejak/jejak.toml"
echo "ok: $count files, all under $prefix"
