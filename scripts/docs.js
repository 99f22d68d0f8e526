#!/usr/bin/env node
'use strict';
// Writes the parts of the docs that the code declares: the command tables of README.md and of the
// tracker-command help, the flag names of the tracker-flags help, and docs/vocabulary.md. Each generated part
// sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`. `--check` changes nothing and exits 1 when a
// file is out of date (npm test runs it through test/unit/docs.spec.js). Run `npm run docs` after changing a
// declaration.
const fs = require('node:fs');
const path = require('node:path');
const lib = require('../dist/index.js');

const root = path.join(__dirname, '..');
const NAMES = {
  gt06: 'GT06',
  jt808: 'JT/T 808',
  jt600: 'JT600',
  vt600: 'VT600',
  osmand: 'OsmAnd / Traccar Client',
  teltonika: 'Teltonika',
  h02: 'H02',
  gps103: 'GPS103',
  tk103: 'TK103',
  watch: 'Watch',
};
const title = (p) => NAMES[p] ?? p;
const escapeHtml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeCell = (s) => String(s).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function paramText(p) {
  const range =
    p.type === 'integer'
      ? ` ${p.min ?? ''}..${p.max ?? ''}${p.unit ? ` ${p.unit}` : ''}`
      : p.type === 'choice'
        ? ` ${p.choices.join('/')}`
        : ` (${p.type})`;
  const extra = p.default !== undefined ? `, default ${p.default}` : p.optional ? ', optional' : '';
  return `\`${p.name}\`${range}${extra}`;
}

const visible = (spec) => spec.params.filter((p) => !p.hidden);
const ANSWERS = { result: 'its answer', delivered: 'an acknowledgement', none: 'nothing' };

function readmeCommands() {
  const out = [];
  for (const [protocol, codec] of lib.CODECS) {
    if (!codec.commands.length) continue;
    out.push(`**${title(protocol)}** (\`${protocol}\`)`, '', '| command | parameters | sent as | device sends back |');
    out.push('|---|---|---|---|');
    for (const c of codec.commands) {
      const params = visible(c).map(paramText).join(', ') || '–';
      out.push(`| \`${c.type}\` | ${escapeCell(params)} | ${escapeCell(c.wire ?? '')} | ${ANSWERS[c.answer]} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function helpCommands() {
  const out = ['<ul>'];
  for (const [protocol, codec] of lib.CODECS) {
    if (!codec.commands.length) continue;
    const items = codec.commands.map((c) => {
      const params = visible(c)
        .map((p) => `<code>${p.name}</code>`)
        .join(', ');
      return `<code>${c.type}</code>${params ? ` (${params})` : ''}`;
    });
    out.push(`  <li><b>${escapeHtml(title(protocol))}</b>: ${items.join(', ')}.</li>`);
  }
  out.push('</ul>');
  return out.join('\n');
}

function helpFlags() {
  const out = [];
  for (const [protocol, codec] of lib.CODECS) {
    const flags = codec.flags;
    if (!flags) continue;
    out.push(`<h4>${escapeHtml(title(protocol))}</h4>`);
    for (const t of flags.tables)
      out.push(
        `<p><b>${escapeHtml(t.title)}</b> (${t.group}): ${t.bits.map((b) => `<code>${b.name}</code>`).join(', ')}.</p>`,
      );
    for (const [group, names] of Object.entries(flags.otherNames ?? {}))
      out.push(`<p>Also (${group}): ${names.map((n) => `<code>${n}</code>`).join(', ')}.</p>`);
  }
  return out.join('\n');
}

function vocabulary() {
  const out = [
    '# Vocabulary',
    '',
    'Every name a record, an event or a command can carry, defined once in `src/vocabulary/` and generated into',
    'this file by `npm run docs`. Decoders cannot emit a name that is not here (the types and',
    '`test/unit/vocabulary.spec.js` see to it).',
    '',
    '## Record types (`msg.payload.type`)',
    '',
    '| type | meaning |',
    '|---|---|',
    ...Object.entries(lib.RECORD_TYPES).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    '## Alarms (`msg.payload.alarms`)',
    '',
    '| alarm | meaning |',
    '|---|---|',
    ...Object.entries(lib.ALARMS).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    '## Attributes (`msg.payload.attributes`)',
    '',
    'A unit of `raw` means the device’s own code or scale, passed on unchanged.',
    '',
    '| key | type | unit | meaning |',
    '|---|---|---|---|',
    ...Object.entries(lib.ATTRIBUTES).map(([k, s]) => `| \`${k}\` | ${s.type} | ${s.unit ?? ''} | ${s.about} |`),
    '',
    'Numbered families (`temp1`, `tag2Battery`, `io239`...): the prefix, a number, then the suffix.',
    '',
    '| key | type | unit | meaning |',
    '|---|---|---|---|',
  ];
  for (const [prefix, fields] of Object.entries(lib.ATTRIBUTE_FAMILIES))
    for (const [suffix, s] of Object.entries(fields))
      out.push(`| \`${prefix}<n>${suffix}\` | ${s.type} | ${s.unit ?? ''} | ${s.about} |`);
  out.push(
    '',
    '## Device events (output 2 of tracker-in)',
    '',
    '| event | when |',
    '|---|---|',
    ...Object.entries(lib.DEVICE_EVENTS).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    '## Geofence events (output 2 of tracker-geofence)',
    '',
    '| event | when |',
    '|---|---|',
    ...Object.entries(lib.GEOFENCE_EVENTS).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    '## Command types',
    '',
    'Which protocol supports which, with their parameters: the README’s command tables.',
    '',
    '| command | what it does |',
    '|---|---|',
    ...Object.entries(lib.COMMAND_TYPES).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    `Other names accepted: ${Object.entries(lib.COMMAND_ALIASES)
      .map(([a, t]) => `\`${a}\` (\`${t}\`)`)
      .join(', ')}.`,
    '',
  );
  return out.join('\n');
}

/** Replaces the part between the markers; throws when a marker is missing. */
function splice(text, name, body, comment = ['<!--', '-->']) {
  const start = `${comment[0]} generated: ${name} ${comment[1]}`;
  const end = `${comment[0]} end: ${name} ${comment[1]}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers for "${name}" not found`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

const FILES = [
  ['README.md', (t) => splice(t, 'commands', readmeCommands())],
  ['nodes/locales/en-US/tracker-command.html', (t) => splice(t, 'commands', helpCommands())],
  ['nodes/locales/en-US/tracker-flags.html', (t) => splice(t, 'flags', helpFlags())],
  ['docs/vocabulary.md', () => vocabulary()],
];

/** The files whose generated parts differ from what the declarations say. */
function outdated(write) {
  const stale = [];
  for (const [file, make] of FILES) {
    const full = path.join(root, file);
    const before = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
    const after = make(before);
    if (after !== before) {
      stale.push(file);
      if (write) {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, after);
      }
    }
  }
  return stale;
}

module.exports = { outdated };

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = outdated(!check);
  if (check && stale.length) {
    process.stderr.write(`out of date (run npm run docs): ${stale.join(', ')}\n`);
    process.exit(1);
  }
  if (!check) process.stdout.write(stale.length ? `updated ${stale.join(', ')}\n` : 'up to date\n');
}
