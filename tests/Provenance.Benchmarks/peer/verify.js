// The peer side of compare.sh: verifies Sigstore bundles with sigstore-js (@sigstore/verify), as npm does.
//   node verify.js once ROOT IDENTITY ISSUER ARTIFACT BUNDLE...   verify each bundle once (cold one-shot)
//   node verify.js loop SECONDS ROOT IDENTITY ISSUER ARTIFACT BUNDLE...
//                                                                print verifications per second in this process
'use strict';
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [mode, ...rest] = process.argv.slice(2);
const seconds = mode === 'loop' ? Number(rest.shift()) : 0;
const [rootPath, identity, issuer, artifactPath, ...bundlePaths] = rest;

// Trust material is built once, as a long-running verifier would.
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))));
const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1 });
const policy = { subjectAlternativeName: identity, extensions: { issuer } };
const artifact = fs.readFileSync(artifactPath);
const bundles = bundlePaths.map((p) => fs.readFileSync(p, 'utf8'));

function verify(text) {
  // Parsing is part of each verification, as on the Provenance side.
  const bundle = bundleFromJSON(JSON.parse(text));
  const entity = bundle.content.$case === 'messageSignature' ? toSignedEntity(bundle, artifact) : toSignedEntity(bundle);
  verifier.verify(entity, policy);
}

if (mode === 'once') {
  bundles.forEach(verify);
  console.log(`verified ${bundles.length} bundle(s)`);
} else if (mode === 'loop') {
  bundles.forEach(verify); // proof that every bundle verifies
  // Both sides warm up for the same time before counting (2 s, as KeylessLoop.cs does).
  const warm = process.hrtime.bigint() + 2_000_000_000n;
  while (process.hrtime.bigint() < warm) bundles.forEach(verify);
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (const text of bundles) verify(text);
    count += bundles.length;
    now = process.hrtime.bigint();
  }
  console.log((count / (Number(now - start) / 1e9)).toFixed(1));
} else {
  console.error('usage: node verify.js once|loop ...');
  process.exit(2);
}
