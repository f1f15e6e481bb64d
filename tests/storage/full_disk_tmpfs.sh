#!/bin/sh
# A real full disk under a running daemon: `jejak run` keeps its state dir on a 4 MiB tmpfs
# (mounted here, as root; exit 77 with a line saying why otherwise), a neighbour daemon beside
# it on the simulated ether, both on an accelerated simulation clock. The tmpfs is filled to
# the last byte; the daemon must stay on air, say so in daemon-status.json (written in place
# when no new file fits) and in `jejak status` (exit 1, naming the store), then commit what it
# held once the filler is removed, stop cleanly on SIGTERM and leave a store `store verify`
# finds clean, holding every sighting it counted as stored. Always unmounts.
# Usage: full_disk_tmpfs.sh JEJAK_BINARY
set -u
JEJAK=$1

if [ "$(id -u)" != 0 ]; then
    echo "skipped: not root, cannot mount a size-limited tmpfs"
    exit 77
fi
work=$(mktemp -d /tmp/jejak-fulldisk.XXXXXX) || exit 1
mnt=$work/mnt
mkdir -p "$mnt" "$work/ether" "$work/b"
if ! mount -t tmpfs -o size=4m,mode=0755 jejak-fulldisk "$mnt" 2>"$work/mount.err"; then
    echo "skipped: mounting a tmpfs failed: $(cat "$work/mount.err")"
    rm -rf "$work"
    exit 77
fi
pid_a=""
pid_b=""
cleanup() {
    for p in $pid_a $pid_b; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    echo "--- daemon A log"; cat "$work/a.log" 2>/dev/null | tail -n 30
    exit 1
}

state=$mnt/state
config=$work/jejak.toml
printf '[store]\nflush_interval_s = 30\n' >"$config"
now=$(date +%s)
# 60 simulated seconds per real second: a 30-s flush interval every half second.
JEJAK_SIM_CLOCK="start=$now&anchor=$now&rate=60"
export JEJAK_SIM_CLOCK

"$JEJAK" --state-dir "$state" --config "$config" run --radio "sim:$work/ether?x=0&seed=1" \
    >"$work/a.log" 2>&1 &
pid_a=$!
"$JEJAK" --state-dir "$work/b" --config "$config" run --radio "sim:$work/ether?x=1&seed=2" \
    >"$work/b.log" 2>&1 &
pid_b=$!

# field PATH... of daemon-status.json (python3: standard library only); "-" for an empty
# string, nothing when the file or the field cannot be read.
status_field() {
    python3 - "$state/daemon-status.json" "$@" <<'EOF' 2>/dev/null
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for k in sys.argv[2:]:
        v = v[k]
    print("-" if v == "" else str(v).lower() if isinstance(v, bool) else v)
except Exception:
    print("")
EOF
}

# Waits (at most 30 real seconds) until `status_field ARGS` prints something `test` accepts.
wait_for() {
    op=$1; want=$2; shift 2
    i=0
    while [ $i -lt 300 ]; do
        got=$(status_field "$@")
        if [ -n "$got" ] && [ "$got" "$op" "$want" ]; then return 0; fi
        kill -0 "$pid_a" 2>/dev/null || fail "daemon A exited while waiting for $* $op $want"
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for $* $op $want (last: $(status_field "$@"))"
}

wait_for -gt 0 counters sightings_stored
echo "stored before the disk filled: $(status_field counters sightings_stored)"

# Fill the tmpfs to the last byte.
dd if=/dev/zero of="$mnt/filler" bs=4k >/dev/null 2>&1
df -k "$mnt" | tail -n 1

wait_for != "-" store fault
echo "daemon reports: $(status_field store fault)"
[ "$(status_field radio advertising)" = true ] || fail "not advertising while the disk is full"
[ "$(status_field radio scanning)" = true ] || fail "not scanning while the disk is full"
wait_for -gt 0 store pending_sightings
rotations_full=$(status_field counters rotations)

"$JEJAK" --state-dir "$state" --config "$config" status >"$work/status.out" 2>"$work/status.err"
code=$?
[ $code = 1 ] || fail "jejak status exited $code on a full disk, not 1"
grep -q "cannot write the store" "$work/status.err" || fail "jejak status does not name the store: $(cat "$work/status.err")"
echo "jejak status: exit 1: $(cat "$work/status.err")"

stored_full=$(status_field counters sightings_stored)
rm -f "$mnt/filler"
wait_for = "-" store fault
# Writing resumed: the held sightings and new ones reach the store. (Not "pending = 0": the
# daemon keeps scanning, so on a loaded machine new sightings may always be waiting; SIGTERM
# below flushes whatever is left, and the count is then checked against the store's rows.)
wait_for -gt "$stored_full" counters sightings_stored
echo "writing again: $(status_field counters sightings_stored) stored, rotations while full or after: $rotations_full -> $(status_field counters rotations)"

kill -TERM "$pid_a"
wait "$pid_a"
code=$?
pid_a=""
[ $code = 0 ] || fail "daemon A exited $code after SIGTERM"
stored=$(status_field counters sightings_stored)

"$JEJAK" --state-dir "$state" --config "$config" store verify >"$work/verify.out" 2>&1 ||
    fail "store verify: $(cat "$work/verify.out")"
rows=$("$JEJAK" --state-dir "$state" --config "$config" store status --json |
    python3 -c 'import json,sys; print(sum(d.get("sightings", 0) for d in json.load(sys.stdin)["days"]))')
echo "sightings counted stored: $stored, rows in the store: $rows"
[ "$rows" = "$stored" ] || fail "the store holds $rows sightings, the daemon counted $stored"
echo "ok: full disk survived, nothing lost"
exit 0
