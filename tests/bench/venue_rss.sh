#!/usr/bin/env bash
# The venue figure of the `jejak run` process itself: its peak RSS (/usr/bin/time -v,
# "Maximum resident set size") while it runs the venue profile (continuous scanning, 5-s
# windows, the encrypted store) among DEVICES standing advertisers on the simulated ether, for
# 10 simulated minutes on an accelerated clock (JEJAK_SIM_CLOCK, rate 20: about 30 s).
# Usage: tests/bench/venue_rss.sh [BUILD_DIR] [DEVICES]   (defaults: build, 1000)
# Prints: venue_rss devices=N max_rss_kib=X adverts_heard=A
set -euo pipefail
build=${1:-build}
devices=${2:-1000}
jejak=$(cd "$build/bin" && pwd)/jejak
work=$(mktemp -d "${TMPDIR:-/tmp}/jejak-venue-rss-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ether"
now_us=$(($(date +%s) * 1000000))
# Each advertiser: its own random address and GAEN payload (RPI + AEM), a 270-ms interval,
# somewhere within 10 m. The ether keeps files of live processes only: this shell's pid.
python3 - "$work/ether" "$devices" "$$" "$now_us" <<'PY'
import os, random, sys
ether, devices, pid, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(7)
for i in range(devices):
    addr = bytes([rng.randrange(256) for _ in range(5)] + [rng.randrange(0x40)])
    sd = bytes(rng.randrange(256) for _ in range(20))
    payload = bytes([3, 3, 0x6F, 0xFD, 23, 0x16, 0x6F, 0xFD]) + sd
    with open(os.path.join(ether, f"venue-{i}.adv"), "w") as f:
        f.write("jejak-sim-advertiser 1\n"
                f"pid {pid}\naddress {addr.hex()}\npayload {payload.hex()}\n"
                f"since {now}\ninterval 270000\n"
                f"position {rng.uniform(-10, 10)} {rng.uniform(-10, 10)} 0\ntx -15\n")
PY
printf '[radio]\nprofile = "venue"\n' > "$work/venue.toml"
export JEJAK_SIM_CLOCK="start=$(date +%s)&anchor=$(date +%s.%N)&rate=20"
/usr/bin/time -v -o "$work/time.txt" "$jejak" --state-dir "$work/state" --config "$work/venue.toml" \
    run --radio "sim:$work/ether?x=0&y=0" --duration 600 > "$work/run.log" 2>&1 || {
    cat "$work/run.log" >&2
    exit 1
}
rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.txt")
heard=$(sed -n 's/.*heard \([0-9]*\).*/\1/p' "$work/run.log" | tail -1)
echo "venue_rss devices=$devices max_rss_kib=$rss adverts_heard=${heard:-unknown}"
