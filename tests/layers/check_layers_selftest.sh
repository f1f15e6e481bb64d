#!/usr/bin/env bash
# The layers check must catch what it claims to: run on tests/layers/fixture (a tiny tree with
# one include up a floor from platform/base, one from gaen into storage, one from agent into
# the authority and a folder of 19 files), it must fail and name each of the four.
# Usage: check_layers_selftest.sh TESTS_LAYERS_DIR
set -uo pipefail
dir=$(cd "$1" && pwd) || exit 2
out=$(cd "$dir/fixture" && JEJAK_LAYERS_MIN_FILES=1 JEJAK_LAYERS_MIN_INCLUDES=1 \
    bash "$dir/check_layers.sh" . 2>&1)
rc=$?
echo "$out"
fail=0
((rc == 1)) || { echo "selftest: expected exit 1 on the fixture, got $rc" >&2; fail=1; }
for want in 'platform/base/clock.h includes crypto/random.h' \
    'gaen/keys/key_schedule.cc includes storage/store.h' \
    'agent/cli/cli_run.cc includes authority/service.h' 'storage/big holds 19 source files'; do
    grep -qF "$want" <<<"$out" || { echo "selftest: not reported: $want" >&2; fail=1; }
done
for clean in 'platform/base/status.h' 'crypto/aes.h' 'gaen/keys/interval.h'; do
    ! grep -qF "includes $clean" <<<"$out" || { echo "selftest: wrongly reported: $clean" >&2; fail=1; }
done
((fail == 0)) && echo "selftest: the layers check reports every planted violation and nothing else"
exit $fail
