// Parses each Mermaid file named on the command line with Mermaid's own parser
// (mermaid.parse), under jsdom for the DOM that Mermaid's sanitizer wants. Prints one line
// per file, "ok FILE TYPE" or "error FILE: MESSAGE", and exits 1 if any failed.
// The packages come from the folder in SYNACK_NPM (`make deps` installs them in target/npm).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.SYNACK_NPM || 'target/npm';
const require = createRequire(resolve(dir, 'package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);

const { JSDOM } = await load('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await load('mermaid');

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`ok ${file} ${r.diagramType}`);
  } catch (e) {
    failed += 1;
    console.log(`error ${file}: ${String(e.message || e).replace(/\n/g, ' | ')}`);
  }
}
process.exit(failed ? 1 : 0);
