#!/usr/bin/env node
// The CLI's entry, committed so that npm can link it at install time, before dist/ is built.
import './node-version.js';

await import('../dist/cli/main.js');
