#!/usr/bin/env node
// The CLI's entry, committed so that npm can link it at install time, before dist/ is built.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`mesh-mall needs Node 22 or newer (24 recommended, see .nvmrc); this is ${process.version}\n`);
  process.exit(1);
}
await import('../dist/cli/main.js');
