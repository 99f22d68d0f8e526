'use strict';
// JT/T 808 sub-package reassembly against hostile claims: what one connection may claim, memory by bytes that came,
// messages that always expire, and 0x8003 resend requests that are always valid (the codec itself, real frames).
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const { getCodec } = require('../../dist/index.js');
const { makeConnection, emptyOutput } = require('../lib/vectors');
const J = require('../lib/jt808');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const codec = getCodec('jt808');
const TIMEOUT_S = 5;

function connection() {
  return makeConnection(codec, { reassemblyTimeout: TIMEOUT_S });
}

/** Decodes one frame; a codec exception fails the test (it would be a hidden failure behind session.push). */
function decode(conn, frame) {
  const out = emptyOutput();
  codec.decode(frame, conn, out);
  return out;
}

/** Moves the connection's clock past the reassembly timeout and polls. */
function pollLater(conn) {
  conn.now += TIMEOUT_S * 1000 + 1;
  const out = emptyOutput();
  codec.poll(conn, out);
  return out;
}

/** Package `index` of `total` of a 0x0801 (media) message. */
const pkg = (total, index, body = Buffer.alloc(10, index & 0xff), options = {}) =>
  J.frame({ msgId: 0x0801, serial: (100 + index) & 0xffff, pkg: [total, index], body, ...options });

/** The 0x8003 a poll produced: first serial, the count field, the ids, and whether the whole message adds up. */
function resendRequest(reply, wide = false) {
  const m = J.parse(reply);
  assert.equal(m.msgId, 0x8003);
  assert.ok(m.checksumOk, 'check code');
  assert.equal(m.body.length, m.bodyLength, 'declared body length');
  assert.ok(m.body.length <= 1023, `body of ${m.body.length} bytes`);
  const at = wide ? 4 : 3;
  const count = wide ? m.body.readUInt16BE(2) : m.body[2];
  const ids = [];
  for (let i = at; i < m.body.length; i += 2) ids.push(m.body.readUInt16BE(i));
  return { firstSerial: m.body.readUInt16BE(0), count, ids };
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('JT/T 808 sub-package reassembly under hostile claims', () => {
  it('a frame claiming 65535 packages is refused (failure answer, oversize error) and holds nothing', () => {
    const conn = connection();
    const out = decode(conn, pkg(65535, 1));
    assert.deepEqual(
      out.errors.map((e) => e.code),
      ['oversize'],
    );
    assert.match(out.errors[0].message, /65535 packages/);
    const [answer] = out.replies.map(J.parse);
    assert.equal(answer.msgId, 0x8001);
    assert.equal(answer.body[4], 1, 'result 1 (failure): the terminal stops sending the rest');
    assert.equal(conn.state.reassembly.size, 0);
    assert.equal(conn.state.reassemblyBytes, 0);
  });

  it('a message within the limits costs the bytes that came, not a slot per claimed package', () => {
    const conn = connection();
    const body = Buffer.alloc(100, 7);
    decode(conn, pkg(2048, 5, body));
    assert.equal(conn.state.reassembly.size, 1);
    // its body and a fixed cost for the package, whatever the total claims
    assert.equal(conn.state.reassemblyBytes, body.length + 64);
    decode(conn, pkg(2048, 5, body)); // the same package again changes nothing
    assert.equal(conn.state.reassemblyBytes, body.length + 64);
  });

  it('memory stays bounded across many claims: 200 connections x 8 messages claiming 2048 packages each', () => {
    const conns = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let c = 0; c < 200; c++) {
      const conn = connection();
      for (let m = 0; m < 8; m++) decode(conn, J.frame({ msgId: 0x0801 + m, pkg: [2048, 2], body: Buffer.alloc(1) }));
      assert.equal(conn.state.reassembly.size, 8);
      conns.push(conn);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // one slot per claimed package would be 200 x 8 x 2048 x 8 bytes = 26 MB; what came is 1600 tiny packages
    assert.ok(grown < 4 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB for 1600 packages of 1 byte`);
    assert.equal(conns.length, 200); // kept alive until measured
  });

  it('one connection cannot hold more than 8 messages or 2 MiB, whatever it sends; each refusal is an error', () => {
    const conn = connection();
    const errors = [];
    const body = Buffer.alloc(1000, 1);
    for (let m = 0; m < 20; m++)
      for (let i = 1; i <= 300; i++) {
        const out = decode(conn, J.frame({ msgId: 0x0900 + m, pkg: [2000, i], body }));
        errors.push(...out.errors);
        assert.ok(conn.state.reassembly.size <= 8, `${conn.state.reassembly.size} messages`);
        assert.ok(conn.state.reassemblyBytes <= 2 * 1024 * 1024, `${conn.state.reassemblyBytes} bytes`);
      }
    assert.ok(errors.length > 0 && errors.every((e) => e.code === 'oversize'));
    assert.ok(errors.some((e) => /more than 8 sub-packaged messages/.test(e.message)));
    assert.ok(errors.some((e) => /over 2097152 bytes/.test(e.message)));
  });

  it('a total above 511: the 0x8003 is valid (at most 255 ids), and the message expires after three requests', () => {
    const conn = connection();
    decode(conn, pkg(600, 1));
    decode(conn, pkg(600, 600));
    const requests = [];
    const errors = [];
    for (let i = 0; i < 5; i++) {
      const out = pollLater(conn);
      requests.push(...out.replies.map((r) => resendRequest(r)));
      errors.push(...out.errors);
    }
    assert.equal(requests.length, 3, 'three requests, then given up');
    for (const r of requests) {
      assert.equal(r.firstSerial, 101);
      assert.equal(r.count, 255);
      assert.deepEqual(r.ids, range(2, 256));
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /598 of 600 packages never came: dropped/);
    assert.equal(conn.state.reassembly.size, 0);
    assert.equal(conn.state.reassemblyBytes, 0);
  });

  it('256 to 510 missing packages: the count never wraps; the next request asks for the rest', () => {
    const conn = connection();
    decode(conn, pkg(300, 1)); // 299 missing: a one-byte count of 299 would read 43
    const [first] = pollLater(conn).replies.map((r) => resendRequest(r));
    assert.equal(first.count, first.ids.length);
    assert.deepEqual(first.ids, range(2, 256));
    for (const i of first.ids) decode(conn, pkg(300, i)); // the terminal sends what was asked for
    const [second] = pollLater(conn).replies.map((r) => resendRequest(r));
    assert.equal(second.count, 44);
    assert.deepEqual(second.ids, range(257, 300));
    const messages = [];
    for (const i of second.ids) messages.push(...decode(conn, pkg(300, i)).messages);
    assert.equal(messages.length, 1, 'the message is whole once the rest came');
    assert.equal(conn.state.reassembly.size, 0);
  });

  it('2019 headers: the two-byte count says how many ids follow, 255 at most', () => {
    const conn = connection();
    const phone = '00000000013912345678';
    decode(conn, pkg(400, 1, undefined, { version: 1, phone }));
    const [r] = pollLater(conn).replies.map((b) => resendRequest(b, true));
    assert.equal(J.parse(pollLater(conn).replies[0]).version, 1);
    assert.equal(r.count, 255);
    assert.deepEqual(r.ids, range(2, 256));
  });

  it('a message whose packages are only sent again, never new ones, still expires', () => {
    const conn = connection();
    decode(conn, pkg(3, 1));
    let asked = 0;
    let dropped = 0;
    for (let i = 0; i < 4; i++) {
      conn.now += 3000;
      decode(conn, pkg(3, 1)); // the same package again, well within the timeout
      conn.now += 3000;
      const out = emptyOutput();
      codec.poll(conn, out);
      asked += out.replies.length;
      dropped += out.errors.filter((e) => /never came/.test(e.message)).length;
    }
    assert.equal(asked, 3);
    assert.equal(dropped, 1);
    assert.equal(conn.state.reassembly.size, 0);
  });
});
