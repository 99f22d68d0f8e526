'use strict';
// The README is the user's contract: the paths it names exist, the environment variables the scripts read are in
// it, the msg.flags groups it lists are the ones tracker-flags makes, its pictures are there, every example is in
// its table, it installs from the packed file (the package is not on the registry), and it has the
// troubleshooting a newcomer needs.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { CODECS } = require('../../dist/index.js');

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');

/** The part of the README under a heading, to the next heading of the same or a higher level. */
function section(title) {
  const start = README.search(new RegExp(`^#+ ${title}`, 'm'));
  assert.ok(start >= 0, `a section "${title}"`);
  const level = /^#+/.exec(README.slice(start))[0].length;
  const rest = README.slice(README.indexOf('\n', start) + 1);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

describe('README claims', () => {
  it('every repository path it names exists', () => {
    const named = new Set();
    const paths = /(?:`|\]\(|\()((?:src|test|examples|scripts|docs|bench|bin|nodes|\.ci)\/[\w./-]*[\w/])/g;
    for (let m = paths.exec(README); m; m = paths.exec(README)) named.add(m[1]);
    assert.ok(named.size > 10, `paths found: ${[...named]}`);
    const missing = [...named].filter((p) => !fs.existsSync(path.join(ROOT, p)));
    assert.deepEqual(missing, []);
  });

  it('documents every environment variable npm start and tracker-sim read', () => {
    const sources = ['scripts/start.js', 'scripts/embed.js', 'src/cli/tracker-sim.ts'].map(read).join('\n');
    // process.env.NAME, process.env['NAME'], and start.js's portFrom('NAME', ...)
    const reads = /process\.env\.([A-Z_]+)|process\.env\[['"]([A-Z_]+)|portFrom\('([A-Z_]+)'/g;
    const used = new Set([...sources.matchAll(reads)].map((m) => m[1] ?? m[2] ?? m[3]));
    const table = section('The two commands');
    for (const name of ['PORT', 'TRACKER_PORT', 'PALETTE_CATALOGUES', 'LOG_LEVEL', 'NODE_RED_CREDENTIAL_SECRET'])
      assert.ok(used.has(name), `${name} is read`); // the search above finds what it should
    const undocumented = [...used].filter((name) => !table.includes(`| \`${name}\``));
    assert.deepEqual(undocumented, []);
  });

  it('names every TrackerServer option (the library section lists them)', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src', 'server', 'options.ts'), 'utf8');
    const body = /export interface ServerOptions \{([\s\S]*?)\n\}/.exec(source)[1];
    const names = [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    assert.ok(names.length > 20, `read ${names.length} options from src/server/options.ts`);
    const library = section('Library and command line');
    const missing = names.filter((n) => !library.includes(`\`${n}\``));
    assert.deepEqual(missing, [], 'TrackerServer options the README does not name');
  });

  it('lists the msg.flags groups tracker-flags makes', () => {
    const made = new Set(['values']);
    // the groups of each protocol's bit tables, and of the names its own expansion sets
    for (const codec of CODECS.values()) {
      for (const t of codec.flags?.tables ?? []) made.add(t.group);
      for (const group of Object.keys(codec.flags?.otherNames ?? {})) made.add(group);
    }
    const listed = /`msg\.flags = \{([^}]+)\}`/.exec(README.replace(/\n\s*/g, ' '));
    assert.ok(listed, 'msg.flags = {...} in the README');
    assert.deepEqual(
      listed[1]
        .split(',')
        .map((s) => s.trim())
        .sort(),
      [...made].sort(),
    );
  });

  it('shows pictures that exist (taken by the browser tests) and lists every example', () => {
    const images = [...README.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 4, `${images}`);
    for (const image of images) {
      const file = path.join(ROOT, image);
      assert.ok(fs.existsSync(file), `${image} exists`);
      assert.equal(fs.readFileSync(file).subarray(1, 4).toString(), 'PNG', `${image} is a PNG`);
    }
    const table = section('Example flows');
    for (const file of fs.readdirSync(path.join(ROOT, 'examples')))
      assert.match(table, new RegExp(`\\| \`${file.replace('.', '\\.')}\` \\|`), `${file} in the examples table`);
  });

  it('installs from the packed .tgz (npm and the palette upload), not from the registry the package is not on', () => {
    const install = section('Install into your own Node-RED');
    assert.match(install, /npm pack/);
    assert.match(install, /npm install \/path\/to\/opentrackers-node-red-gps-trackers-[\d.]+\.tgz/);
    assert.match(install, /Manage palette → Install → the upload button/);
    assert.doesNotMatch(README, /npm install @opentrackers\/node-red-gps-trackers/);
  });

  it('has troubleshooting for what a newcomer runs into', () => {
    const help = section('Troubleshooting');
    for (const topic of [/in use/, /firewall/, /NAT/, /No devices showing/, /connects but sends nothing/, /up 0\/5/])
      assert.match(help, topic);
  });
});
