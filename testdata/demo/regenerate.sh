#!/usr/bin/env bash
# Regenerates the demo: a fresh ECDSA P-256 key, an SLSA v1 provenance statement naming hello-1.0.0.txt,
# and its DSSE envelope signed over PAE. The private key is thrown away; only the public key is kept.
# Needs openssl and python3. Run from anywhere; writes next to this script.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf 'Hello from the Provenance demo, version 1.0.0.\n' > hello-1.0.0.txt
openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem"
openssl ec -in "$work/key.pem" -pubout -out demo-key.pub 2>/dev/null

digest=$(sha256sum hello-1.0.0.txt | cut -d' ' -f1)
cat > "$work/statement.json" <<JSON
{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"hello-1.0.0.txt","digest":{"sha256":"$digest"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"ref":"refs/tags/v1.0.0","repository":"https://github.com/example/hello","path":".github/workflows/release.yml"}},"resolvedDependencies":[{"uri":"git+https://github.com/example/hello@refs/tags/v1.0.0","digest":{"gitCommit":"6b3f1c8e2a9d4f7b0c5e8a1d3f6b9c2e4a7d0f13"}}]},"runDetails":{"builder":{"id":"https://github.com/example/hello/.github/workflows/release.yml@refs/tags/v1.0.0"},"metadata":{"invocationId":"https://github.com/example/hello/actions/runs/1/attempts/1","startedOn":"2026-11-27T12:00:00Z","finishedOn":"2026-11-27T12:03:00Z"}}}}
JSON

python3 - "$work" <<'PY'
import base64, json, subprocess, sys
work = sys.argv[1]
payload = open(f"{work}/statement.json", "rb").read().strip()
ptype = b"application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
open(f"{work}/pae", "wb").write(pae)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{work}/key.pem", f"{work}/pae"],
                     check=True, capture_output=True).stdout
envelope = {"payloadType": ptype.decode(), "payload": base64.b64encode(payload).decode(),
            "signatures": [{"keyid": "", "sig": base64.b64encode(sig).decode()}]}
open("hello-1.0.0.intoto.jsonl", "w").write(json.dumps(envelope, separators=(",", ":")) + "\n")
PY
echo "regenerated: hello-1.0.0.txt hello-1.0.0.intoto.jsonl demo-key.pub"
