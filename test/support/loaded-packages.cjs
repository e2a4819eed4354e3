// Preloaded (node --require) by test/lean-start into a server: when the process exits, writes the
// npm packages it loaded (CommonJS modules in Node's module cache) to the file LOADED_PACKAGES_FILE.
'use strict';
const { writeFileSync } = require('node:fs');
const Module = require('node:module');

process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(Module._cache)) {
    const parts = file.split('/node_modules/');
    const last = parts[parts.length - 1];
    if (parts.length < 2 || last === undefined) continue;
    const segments = last.split('/');
    names.add(segments[0].startsWith('@') ? `${segments[0]}/${segments[1]}` : segments[0]);
  }
  writeFileSync(process.env.LOADED_PACKAGES_FILE, JSON.stringify([...names].sort()));
});
