#!/bin/bash
# Test suites include test headers only from tests/support/, tests/fakes/ and their own folder
# (a subfolder also from its parent's): no suite reaches into another's. Usage: check_test_includes.sh SOURCE_DIR [TESTS_DIR]
# (TESTS_DIR defaults to SOURCE_DIR/tests; another tree proves the check can fail).
set -u
src=$1
tests=${2:-$src/tests}
bad=0
while IFS= read -r -d '' file; do
    rel=${file#"$tests"/}
    dir=$(dirname "$rel")
    while IFS= read -r inc; do
        case $inc in
            tests/*) inc_dir=$(dirname "${inc#tests/}") ;;
            */*) continue ;;                                # a production header
            *) [ -e "$(dirname "$file")/$inc" ] && continue  # beside the file
               inc_dir="?" ;;                               # found through an include path
        esac
        # A suite's subfolder (tests/authority/console) may use the suite's own helpers.
        [[ $dir == "$inc_dir"/* ]] && continue
        case $inc_dir in
            support | fakes | "$dir") ;;
            *) echo "tests/$rel includes \"$inc\" from another test folder"; bad=1 ;;
        esac
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find "$tests" \( -path "$tests/data" -o -path "$tests/layers/fixture" -o \
              -path "$tests/support/include_fixture" \) -prune -o \
              \( -name '*.cc' -o -name '*.h' \) -print0)
if [ "$bad" -ne 0 ]; then
    echo "include shared test code from tests/support/ (or tests/fakes/) instead"
    exit 1
fi
echo "test includes: every suite stays in its folder, tests/support/ and tests/fakes/"
