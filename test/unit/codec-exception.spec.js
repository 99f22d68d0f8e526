'use strict';
// A decoder that throws is a bug: the session survives it (the frame is lost, never the connection), but it must
// show: its own error code, a counter in session.stats, and the "never throws" helpers of the other tests fail on
// it. The codecs here are the real ones, with one method made to throw for the length of a test.
const assert = require('node:assert/strict');
const { createSession, getCodec, HttpReplay } = require('../../dist/index.js');
const { assertNoCodecException } = require('../lib/framing');
const { pushAll } = require('../lib/push');
const { request } = require('../lib/osmand');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');

const hex = (s) => Buffer.from(s, 'hex');

/** Makes `codec[method]` throw while `fn` runs (every session of that codec sees it), then puts it back. */
async function throwing(protocol, method, fn) {
  const codec = getCodec(protocol);
  const original = codec[method];
  codec[method] = () => {
    throw new TypeError(`a bug in ${protocol} ${method}`);
  };
  try {
    return await fn();
  } finally {
    codec[method] = original;
  }
}

describe('a decoder that throws', () => {
  it('costs its frame, not the connection: a codec-exception error, counted, and the next frame decodes', async () => {
    const s = createSession({ protocol: 'gt06' });
    assert.equal(s.stats.codecExceptions, 0);
    const r = await throwing('gt06', 'decode', () => s.push(Buffer.concat([hex(F.LOGIN), hex(F.HEARTBEAT)])));
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['codec-exception', 'codec-exception'],
    );
    assert.match(r.errors[0].message, /gt06 decoder failed: a bug in gt06 decode/);
    assert.equal(s.stats.codecExceptions, 2);
    assert.equal(s.stats.errors, 2);
    const next = s.push(hex(F.LOGIN));
    assert.deepEqual(
      next.messages.map((m) => m.type),
      ['login'],
    );
  });

  it('fails the helpers the "never throws" and property tests rely on', async () => {
    await throwing('gt06', 'decode', () => {
      const s = createSession({ protocol: 'gt06' });
      assert.throws(() => pushAll(s, [hex(F.LOGIN)]), /a decoder threw/);
      const t = createSession({ protocol: 'gt06' });
      const r = t.push(hex(F.LOGIN));
      assert.throws(() => assertNoCodecException(t), /a decoder threw/);
      // a caller that only looks at the results sees it too
      assert.throws(() => assertNoCodecException({ stats: { codecExceptions: 0 } }, [r]), /a decoder threw/);
    });
  });

  it('in time-driven work (poll): counted the same way', async () => {
    const s = createSession({ protocol: 'jt808' });
    s.push(J.frame({ msgId: 0x0002 }));
    const r = await throwing('jt808', 'poll', () => s.poll());
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['codec-exception'],
    );
    assert.equal(s.stats.codecExceptions, 1);
  });

  it('on an HTTP request: answered 500, counted, and the connection serves the next request', async () => {
    const s = createSession();
    s.push(Buffer.from('GET /?id=phone&lat=1&lon=2 HTTP/1.1\r\n\r\n'));
    assert.equal(s.protocol, 'osmand');
    const r = await throwing('osmand', 'decodeRequest', () => s.decodeRequest(request({ url: '/?id=phone&lat=1' })));
    assert.equal(r.status, 500);
    assert.deepEqual(r.messages, []);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['codec-exception'],
    );
    assert.equal(s.stats.codecExceptions, 1);
    assert.equal(s.decodeRequest(request({ url: '/?id=phone&lat=1&lon=2' })).status, 200);

    // through the product's HTTP path (Node's parser), as the property test drives it
    const session = createSession();
    const replay = new HttpReplay(session);
    const answer = await throwing('osmand', 'decodeRequest', () =>
      replay.push(Buffer.from('GET /?id=phone&lat=1&lon=2 HTTP/1.1\r\n\r\n')),
    );
    replay.close();
    assert.match(answer.replies.map((b) => b.toString('latin1')).join(''), /^HTTP\/1\.1 500 /);
    assert.throws(() => assertNoCodecException(session), /a decoder threw/);
  });
});
