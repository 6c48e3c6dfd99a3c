#!/usr/bin/env bash
# Fuzzes one parser of untrusted input under libFuzzer for a given time:
#   tests/Provenance.Fuzz/run.sh TARGET SECONDS
# TARGET is bundle, envelope, trusted-root, checkpoint, pem or policy (Program.cs). Installs what it needs
# (clang and libFuzzer from Debian, the SharpFuzz tool from .config/dotnet-tools.json), builds the targets,
# instruments Provenance.Core.dll, builds the driver (driver.c) and runs it, seeded from testdata/ and from
# corpus/TARGET. Everything it writes is under tests/Provenance.Fuzz/findings/TARGET: the grown corpus, the
# log, and crash-* / timeout-* inputs. Replay one with the uninstrumented build (the instrumented one needs the driver):
#   dotnet run --project tests/Provenance.Fuzz -c Release -- TARGET FILE
# Extra libFuzzer flags can be given in LIBFUZZER_FLAGS (for example "-jobs=4 -workers=4").
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 bundle|envelope|trusted-root|checkpoint|pem|policy SECONDS" >&2
  exit 2
fi

target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$here/findings/$target
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case $target in
  bundle) seeds=$(find "$repo/testdata" -name '*.sigstore.json' -o -name '*.sigstore' -o -name 'bundle*.json') ;;
  envelope) seeds=$(find "$repo/testdata" -name '*.intoto.jsonl' -o -name '*.dsse' -o -name '*.dsse.json' -o -name '*envelope*.json') ;;
  trusted-root) seeds=$(find "$repo/testdata" "$repo/src/Provenance/Sigstore/TrustedRoots" -name '*.json' -path '*trust*root*') ;;
  checkpoint) seeds="" ;; # corpus/checkpoint holds the checkpoints of the conformance bundles
  pem) seeds=$(find "$repo/testdata" -name '*.pem' -o -name '*.pub' -o -name '*.key') ;;
  policy) seeds=$(find "$repo/policies" -name '*.yaml') ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac

# clang with libFuzzer: Debian's clang-14 and its compiler-rt (libclang_rt.fuzzer).
clang=$(command -v clang-14 || command -v clang || true)
if [ -z "$clang" ] || ! "$clang" -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-14 libclang-rt-14-dev >/dev/null
  clang=$(command -v clang-14)
fi

mkdir -p "$work/corpus" "$work/crashes" "$work/seeds"
cd "$repo"
dotnet tool restore >/dev/null
# A fresh output each time: instrumenting an assembly twice fails.
rm -rf "$work/bin"
dotnet build tests/Provenance.Fuzz/Provenance.Fuzz.csproj -c Release -o "$work/bin" -v quiet -nologo >/dev/null
dotnet sharpfuzz "$work/bin/Provenance.Core.dll"
"$clang" -O1 -fsanitize=fuzzer "$here/driver.c" -o "$work/driver"

# Seeds are copied, so libFuzzer's additions never land in testdata/ or corpus/.
for file in $seeds; do cp "$file" "$work/seeds/$(echo "$file" | sha256sum | cut -c1-16)"; done
if [ -d "$here/corpus/$target" ]; then cp "$here/corpus/$target"/* "$work/seeds/"; fi

export PROVENANCE_FUZZ_DLL=$work/bin/Provenance.Fuzz.dll PROVENANCE_FUZZ_TARGET=$target
# libFuzzer writes the logs of -jobs into the current folder.
cd "$work"
# shellcheck disable=SC2086 # LIBFUZZER_FLAGS is a list of flags.
"$work/driver" -max_total_time="$seconds" -max_len=262144 -timeout=30 -print_final_stats=1 \
  -artifact_prefix="$work/crashes/" ${LIBFUZZER_FLAGS:-} "$work/corpus" "$work/seeds" 2>&1 | tee "$work/fuzz.log"
status=${PIPESTATUS[0]}

echo "executions: $(grep -oE 'stat::number_of_executed_units: [0-9]+' "$work/fuzz.log" | grep -oE '[0-9]+$' || echo unknown)"
echo "crashes: $(find "$work/crashes" -type f | wc -l) in $work/crashes"
exit "$status"
