'use strict';
// npm run conformance: Traccar's conformance vectors (test/fixtures/traccar) against the built codecs, every
// protocol: pass counts per protocol and kind, each deliberate difference with its reason, each failure with
// what went wrong. Exits 1 on a failure that is not a listed difference or a decode pass rate under 95 %.
const { PROTOCOLS, HTTP_PROTOCOLS, runConformance, runWireConformance } = require('../test/lib/conformance');

let bad = false;
const rows = [];
const notes = [];
for (const protocol of PROTOCOLS) {
  const cases = runConformance(protocol);
  const row = { protocol };
  for (const kind of ['decode', 'frame', 'encode']) {
    const of = cases.filter((c) => c.kind === kind);
    const passed = of.filter((c) => c.problem === null && !c.known).length;
    const known = of.filter((c) => c.known).length;
    row[kind] = `${passed}/${of.length}${known ? ` (+${known} deliberate)` : ''}`;
    if (kind === 'decode' && passed / of.length < 0.95) {
      bad = true;
      notes.push(`FAIL ${protocol} decode: ${passed}/${of.length} is under 95 %`);
    }
    for (const c of of) {
      if (c.known && c.problem === null) {
        bad = true;
        notes.push(`FAIL ${protocol} ${kind} ${c.title}: listed as a deliberate difference but passes now`);
      } else if (c.known) notes.push(`deliberate ${protocol} ${kind} ${c.title}: ${c.known}`);
      else if (c.problem !== null) {
        bad = true;
        notes.push(`FAIL ${protocol} ${kind} ${c.title}: ${c.problem}`);
      }
    }
  }
  rows.push(row);
}

async function main() {
  // HTTP protocols: the same decode vectors as wire bytes, pinned and auto-detected, through Node's parser
  for (const protocol of HTTP_PROTOCOLS) {
    for (const mode of [protocol, 'auto']) {
      const cases = await runWireConformance(protocol, mode);
      const passed = cases.filter((c) => c.problem === null && !c.known).length;
      rows.push({
        protocol: `${protocol} on the wire (--protocol ${mode})`,
        decode: `${passed}/${cases.length}`,
        frame: '–',
        encode: '–',
      });
      for (const c of cases)
        if (c.problem !== null && !c.known) {
          bad = true;
          notes.push(`FAIL ${protocol} wire ${c.title}: ${c.problem}`);
        }
    }
  }
  console.log('protocol | decode | frame | encode');
  console.log('---|---|---|---');
  for (const r of rows) console.log(`${r.protocol} | ${r.decode} | ${r.frame} | ${r.encode}`);
  if (notes.length) console.log(`\n${notes.join('\n')}`);
  console.log(bad ? '\nconformance: FAILED' : '\nconformance: all cases pass or are listed deliberate differences');
  process.exitCode = bad ? 1 : 0;
}

main();
