// Fails at once, in one line, on a Node older than the project's (package.json engines; .nvmrc): on Node 20 the CLI
// would otherwise die deep inside undici. Plain JavaScript, so that any Node can run it.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`mesh-mall needs Node 22 or newer (24 recommended, see .nvmrc); this is ${process.version}\n`);
  process.exit(1);
}
