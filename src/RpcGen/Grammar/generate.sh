#!/usr/bin/env bash
# generate.sh -- regenerate Generated/ from Rpcl.g4, the single source of the .x syntax.
#
#   src/RpcGen/Grammar/generate.sh           rewrite Generated/
#   src/RpcGen/Grammar/generate.sh --check   regenerate into a scratch folder; fail if Generated/ differs
#
# The parser is generated with antlr-ng (the npm package, pinned below), whose C# output runs on
# Antlr4.Runtime.Standard 4.13.0. The Antlr4BuildTasks package cannot be used here: it downloads the
# ANTLR tool jar from Maven at build time, and its bundled 4.9.1 tool writes an ATN the 4.13 runtime cannot
# load. So the generated files are committed, and CI runs this script with --check.
#
# The generated types are made internal (they are an implementation detail of NetRpc.RpcGen), and warning
# CS3021 (CLSCompliant on a non-CLS assembly) is suppressed in them.
set -euo pipefail

ANTLR_NG=antlr-ng@1.0.10
here=$(cd "$(dirname "$0")" && pwd)
out="$here/Generated"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$here" && npx --yes "$ANTLR_NG" -Dlanguage=CSharp --package NetRpc.RpcGen.Grammar \
    --generate-listener false --generate-visitor true -o "$work" Rpcl.g4) 2> >(grep -v '^npm warn' >&2)

for file in "$work"/*.cs; do
    sed -i \
        -e 's/^public partial class /internal partial class /' \
        -e 's/^public interface /internal interface /' \
        -e 's/^#pragma warning disable 419$/#pragma warning disable 419\n\/\/ CLSCompliant on types of an assembly that does not declare CLS compliance\n#pragma warning disable 3021/' \
        "$file"
done

mkdir -p "$work/keep"
cp "$work"/*.cs "$work/keep/"
if [ "${1:-}" = "--check" ]; then
    if ! diff -r -q "$work/keep" "$out" >/dev/null; then
        diff -r -u "$out" "$work/keep" | head -50 >&2
        echo "generate.sh: src/RpcGen/Grammar/Generated is out of date with Rpcl.g4; run src/RpcGen/Grammar/generate.sh and commit" >&2
        exit 1
    fi
    echo "generate.sh: Generated/ matches Rpcl.g4"
else
    rm -rf "$out"
    mkdir -p "$out"
    cp "$work/keep"/*.cs "$out/"
    echo "generate.sh: wrote $(ls "$out" | wc -l) files to $out"
fi
