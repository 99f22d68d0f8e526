'use strict';
// One name per bit, whoever asks: for every bit of the JT/T 808 alarm word, a real 0x0200 frame decodes to that
// bit's alarm name, and tracker-flags in edge mode gives exactly one edge, with the same name.
const assert = require('node:assert/strict');
const { createSession, expandFlags, flagChanges, getCodec } = require('../../dist/index.js');
const J = require('../lib/jt808');

const table = getCodec('jt808').flags.tables.find((t) => t.field === 'alarmFlags');

function decode(alarm) {
  const s = createSession({ protocol: 'jt808' });
  const [record] = s.push(J.frame({ msgId: 0x0200, body: J.locationBody({ alarm }) })).messages;
  return record;
}

describe('JT/T 808 alarm word: decoder and tracker-flags agree', () => {
  const quiet = decode(0);
  const before = flagChanges(undefined, expandFlags(quiet)).next;

  for (const { bit, name } of table.bits) {
    it(`bit ${bit}: alarms ["${name}"], one edge ${name}Started, and ${name}Ended unless the terminal latches it`, () => {
      const on = decode(2 ** bit);
      assert.deepEqual(on.alarms, [name]);
      const flags = expandFlags(on);
      const latched = flags.latched.has(name); // cleared by the terminal after our reply: not the end of anything
      const started = flagChanges(before, flags);
      assert.deepEqual(started.edges, [`${name}Started`]);
      const ended = flagChanges(started.next, expandFlags(quiet));
      assert.deepEqual(ended.edges, latched ? [] : [`${name}Ended`]);
    });
  }

  it('bits 7 and 8 (main power low, main power cut): two edges for two bits, named as the decoder names them', () => {
    const both = decode((1 << 7) | (1 << 8));
    assert.deepEqual(both.alarms.sort(), ['lowBattery', 'powerCut']);
    assert.deepEqual(flagChanges(before, expandFlags(both)).edges.sort(), ['lowBatteryStarted', 'powerCutStarted']);
  });
});
