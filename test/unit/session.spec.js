'use strict';
const assert = require('node:assert/strict');
const { createSession } = require('../../dist/index.js');

const LOGIN = '78780d01012345678901234500018cdd0d0a';
const LOCATION = '78781f1211071403362aca0543ec4f00ff976e021549010603e6b500e7590074763d0d0a';
const HEARTBEAT = '78780a13400504000000153dc20d0a';
const hex = (s) => Buffer.from(s, 'hex');

describe('session', () => {
  it('detects GT06, logs in and acknowledges with the echoed serial', () => {
    const s = createSession();
    const r = s.push(hex(LOGIN));
    assert.equal(s.protocol, 'gt06');
    assert.equal(s.deviceId, '123456789012345');
    assert.deepEqual(
      r.replies.map((b) => b.toString('hex')),
      ['787805010001d9dc0d0a'],
    );
    assert.equal(r.messages[0].type, 'login');
  });

  it('takes a Uint8Array as bytes, and refuses a string with a clear TypeError', () => {
    const s = createSession();
    const login = hex(LOGIN);
    const r = s.push(new Uint8Array(login.buffer.slice(login.byteOffset, login.byteOffset + login.length)));
    assert.equal(s.deviceId, '123456789012345');
    assert.equal(r.replies.length, 1);
    assert.throws(() => s.push(LOGIN), { name: 'TypeError', message: /\(a Buffer or Uint8Array\), not a string/ });
    assert.throws(() => s.push(null), { name: 'TypeError', message: /not a null/ });
    // the session still works after a caller's mistake
    assert.equal(s.push(hex(HEARTBEAT)).replies.length, 1);
  });

  it('splits several frames in one chunk and reassembles a frame split anywhere', () => {
    const stream = hex(LOGIN + LOCATION + HEARTBEAT);
    for (let cut = 1; cut < stream.length; cut++) {
      const s = createSession();
      const a = s.push(stream.subarray(0, cut));
      const b = s.push(stream.subarray(cut));
      const types = [...a.messages, ...b.messages].map((m) => m.type);
      assert.deepEqual(types, ['login', 'position', 'heartbeat'], `cut at ${cut}`);
      assert.equal(a.replies.length + b.replies.length, 3);
      assert.equal(s.bufferedBytes, 0);
    }
  });

  it('resynchronises after junk and reports it', () => {
    const s = createSession();
    s.push(hex(LOGIN));
    const r = s.push(Buffer.concat([Buffer.from('garbage!'), hex(LOCATION)]));
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0].type, 'position');
    assert.equal(r.errors[0].code, 'junk');
    assert.equal(s.stats.droppedBytes, 8);
  });

  it('drops frames before login without replying', () => {
    const s = createSession();
    const r = s.push(hex(LOCATION));
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.replies, []);
    assert.equal(r.errors[0].code, 'not-identified');
  });

  it('never buffers more than the cap', () => {
    const s = createSession({ maxBufferBytes: 1024 });
    // A start marker with a huge declared size, then no terminator: it must not be held forever.
    s.push(Buffer.concat([hex('79790fff01'), Buffer.alloc(5000, 0x41)]));
    assert.ok(s.bufferedBytes <= 1024, `held ${s.bufferedBytes}`);
    s.push(hex(LOGIN));
    assert.equal(s.deviceId, '123456789012345');
  });
});
