#!/usr/bin/env bash
# Egress discipline, checked on every ctest run: only the upload module (agent/upload) may
# send anything derived from the device's data. Fails (exit 1, naming the offender) when
#   source level: a file outside platform/http and agent/upload includes the sending entry
#     point (platform/http/http_post.h, curl_transfer.h) or libcurl; or a file outside
#     agent/upload and the two CLI front-ends of the upload (agent/cli/cli_report.cc, the
#     offline key file in agent/cli/cli_keys.cc) includes an agent/upload header; one more file
#     may, agent/cli/config/cli_config.cc: `config check` reads [upload] with the upload module's own
#     parser (ParseUploadConfig) and sends nothing;
#   link level: an object in any built library other than jejak_http and jejak_upload needs
#     a sending symbol (NewCurlHttpPoster, CurlTransfer, curl_easy_*), or an object other than
#     those of jejak_upload and the two front-ends needs a symbol that jejak_upload defines.
# Usage: check_egress.sh SOURCE_DIR BINARY_DIR NM
set -uo pipefail
src=$1 bin=$2 nm=$3
fail=0
offend() { echo "egress: $*" >&2; fail=1; }

cd "$src" || exit 2
prod_dirs=(platform crypto gaen storage agent)
[ -d authority ] && prod_dirs+=(authority)
mapfile -t files < <(find "${prod_dirs[@]}" -name '*.h' -o -name '*.cc' -o -name '*.c' | sort)
[ "${#files[@]}" -gt 50 ] || { echo "egress: found only ${#files[@]} source files" >&2; exit 2; }
for f in "${files[@]}"; do
    case $f in
        platform/http/*|agent/upload/*) ;;
        *) grep -Eq '#include[[:space:]]*[<"](platform/http/(http_post|curl_transfer)\.h|curl/)' "$f" &&
               offend "$f includes the HTTP sending entry point" ;;
    esac
    case $f in
        agent/upload/*|agent/cli/cli_report.cc|agent/cli/cli_keys.cc|agent/cli/config/cli_config.cc) ;;
        *) grep -Eq '#include[[:space:]]*"agent/upload/' "$f" &&
               offend "$f includes an upload header" ;;
    esac
done

mapfile -t archives < <(find "$bin" -name 'libjejak_*.a' ! -name 'libjejak_test_fakes.a' \
    ! -name 'libjejak_doctest_main.a' ! -path '*/fuzz*' | sort)
upload_lib=$(printf '%s\n' "${archives[@]}" | grep '/libjejak_upload\.a$')
[ -n "$upload_lib" ] && [ "${#archives[@]}" -gt 10 ] ||
    { echo "egress: libraries not found under $bin (build first)" >&2; exit 2; }
# Mangled names of everything jejak_upload defines (functions and data).
upload_syms=$("$nm" --defined-only "$upload_lib" 2>/dev/null | awk '$2 ~ /^[TWDBVR]$/ {print $3}' |
    grep -v '^_ZN\?K\?St\|^_ZNSt\|^_ZNKSt\|^_ZSt\|nlohmann' | sort -u)
[ -n "$upload_syms" ] || { echo "egress: no symbols in $upload_lib" >&2; exit 2; }
syms_file=$(mktemp)
trap 'rm -f "$syms_file"' EXIT
printf '%s\n' "$upload_syms" >"$syms_file"
for a in "${archives[@]}"; do
    lib=$(basename "$a")
    # Undefined references as "archive:member: U symbol"; awk prints each one that breaks
    # the rules.
    offences=$("$nm" -A --undefined-only "$a" 2>/dev/null | awk -v lib="$lib" -v syms="$syms_file" '
        BEGIN { while ((getline s < syms) > 0) upload[s] = 1 }
        {
            sym = $NF; member = $1; sub(/^[^:]*:/, "", member); sub(/:.*$/, "", member)
            sending = sym ~ /^curl_easy_/ || sym ~ /NewCurlHttpPoster/ || sym ~ /CurlTransfer/
            if (sending && lib != "libjejak_http.a" && lib != "libjejak_upload.a")
                print lib "(" member ") links the HTTP sending entry point " sym
            front = lib == "libjejak_cli.a" &&
                    (member == "cli_report.cc.o" || member == "cli_keys.cc.o" ||
                     (member == "cli_config.cc.o" && sym ~ /ParseUploadConfig/))
            if ((sym in upload) && lib != "libjejak_upload.a" && !front)
                print lib "(" member ") links the upload module symbol " sym
        }')
    if [ -n "$offences" ]; then
        while IFS= read -r o; do offend "$o"; done <<<"$offences"
    fi
done
[ $fail -eq 0 ] && echo "egress: ${#files[@]} source files and ${#archives[@]} libraries checked"
exit $fail
