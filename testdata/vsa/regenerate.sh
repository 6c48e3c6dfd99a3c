#!/usr/bin/env bash
# Regenerates the verification summaries (SLSA VSA v1) that policies/verification-summary.tests.yaml uses: the
# demo release verified against policies/in-house-key-signed.yaml once as it is (PASSED) and once for another
# repository (FAILED), each summary DSSE-signed with a fresh ECDSA P-256 key whose private half is thrown away.
# Needs openssl and the provenance tool: PROVENANCE="path/to/provenance" or, by default, dotnet run from this
# checkout. Run from anywhere; writes next to this script. It prints the new key's id: put it in the fixtures'
# keyId parameters.
set -euo pipefail
# From the repository root, so the summaries name the artifact and policy by paths relative to it.
cd "$(dirname "$0")/../.."
root=$(pwd)
out=testdata/vsa
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
provenance=${PROVENANCE:-dotnet run --project "$root/src/Provenance.Cli" -c Release --}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/vsa-key.pem"
openssl pkey -in "$work/vsa-key.pem" -pubout -out "$out/vsa-key.pub"

demo=testdata/demo
verify() { # $1 repository parameter, $2 output
  $provenance verify "$demo/hello-1.0.0.txt" -a "$demo/hello-1.0.0.intoto.jsonl" --key "$demo/demo-key.pub" \
    --policy policies/in-house-key-signed.yaml \
    --param keyId=SHA256:Z53ZuUNo05SH4ht6P42+jsT+adXmlCRvTZWG2b5WcW4 --param "repository=$1" \
    --vsa "$2" --vsa-key "$work/vsa-key.pem" > /dev/null || true   # FAILED is a summary too: exit 1 is expected
  test -s "$2"
}
verify example/hello "$out/hello-1.0.0.passed.vsa.jsonl"
verify example/other "$out/hello-1.0.0.failed.vsa.jsonl"

# The key id the fixtures name: the tool prints it for a key-signed attestation.
$provenance verify "$demo/hello-1.0.0.txt" -a "$out/hello-1.0.0.passed.vsa.jsonl" --key "$out/vsa-key.pub" | grep -o 'SHA256:[A-Za-z0-9+/]*' | head -1
