#!/usr/bin/env bash
# The house rules a reader relies on, checked on every ctest run from the sources:
#   1. includes point down the floors: platform < crypto < gaen < storage < agent, with
#      authority beside agent: a file includes only its own floor or lower ones, authority/
#      never includes agent/ and agent/ never includes authority/; platform/base includes
#      nothing else of Jejak (it is what crypto alone stands on);
#   2. no production folder holds more than 18 source files (.h, .cc, .c), so every folder
#      stays one concern a newcomer reads in one sitting.
# Usage: check_layers.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 2
fail=0
offend() { echo "layers: $*" >&2; fail=1; }

floor() {  # floor FOLDER: the floor number of a top-level folder, or nothing
    case $1 in
        platform) echo 0 ;; crypto) echo 1 ;; gaen) echo 2 ;; storage) echo 3 ;;
        agent | authority) echo 4 ;;
    esac
}

mapfile -t files < <(find platform crypto gaen storage agent authority 2>/dev/null \
    \( -name '*.h' -o -name '*.cc' -o -name '*.c' \) | sort)
min_files=${JEJAK_LAYERS_MIN_FILES:-100} min_includes=${JEJAK_LAYERS_MIN_INCLUDES:-500}
((${#files[@]} >= min_files)) || { echo "layers: found only ${#files[@]} source files" >&2; exit 2; }
checked=0
for f in "${files[@]}"; do
    own=${f%%/*}
    own_floor=$(floor "$own")
    while IFS= read -r target; do
        top=${target%%/*}
        target_floor=$(floor "$top")
        [[ -n $target_floor ]] || continue  # a system or generated header
        checked=$((checked + 1))
        if ((target_floor > own_floor)); then
            offend "$f includes $target: $own may not include a higher floor ($top)"
        elif [[ $own == authority && $top == agent ]] || [[ $own == agent && $top == authority ]]; then
            offend "$f includes $target: agent and authority never include each other"
        elif [[ $f == platform/base/* && $target != platform/base/* ]]; then
            offend "$f includes $target: platform/base includes nothing else of Jejak"
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
((checked >= min_includes)) || { echo "layers: checked only $checked includes" >&2; exit 2; }

while IFS= read -r dir; do
    n=$(find "$dir" -maxdepth 1 -type f \( -name '*.h' -o -name '*.cc' -o -name '*.c' \) | wc -l)
    ((n <= 18)) || offend "$dir holds $n source files (at most 18: split it by concern)"
done < <(find platform crypto gaen storage agent authority -type d 2>/dev/null | sort)

((fail == 0)) && echo "layers: ${#files[@]} files, $checked includes, every one points down a floor"
exit $fail
