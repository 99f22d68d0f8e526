'use strict';
// The HTTP path of the tracker port (Node's HTTP server fed with adopted connections) through in-memory
// connections: keep-alive, pipelining, chunked bodies, 100-continue, the limits of a public port, and answers
// that never repeat what the client sent.
const assert = require('node:assert/strict');
const { Duplex } = require('node:stream');
const { HttpIntake, HTTP_INTAKE_DEFAULTS, HttpReplay, createSession } = require('../../dist/index.js');
const { answers } = require('../lib/osmand');

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** An intake that records every request and problem, and a way to open in-memory connections to it. */
function harness(options = {}, answer = () => ({ status: 200 })) {
  const requests = [];
  const problems = [];
  const intake = new HttpIntake(
    { ...HTTP_INTAKE_DEFAULTS, ...options },
    (request, context) => {
      requests.push({ ...request, body: request.body.toString(), context });
      return answer(request);
    },
    (problem, context) => problems.push({ ...problem, context }),
  );
  const open = (head, context = 'c1') => {
    const written = [];
    const stream = new Duplex({
      read() {},
      write(chunk, _enc, done) {
        written.push(Buffer.from(chunk));
        done();
      },
    });
    let closed = false;
    stream.on('close', () => {
      closed = true;
    });
    intake.adopt(stream, Buffer.from(head, 'latin1'), context);
    return {
      stream,
      send: (text) => stream.push(Buffer.from(text, 'latin1')),
      get text() {
        return Buffer.concat(written).toString('latin1');
      },
      get answers() {
        return answers(Buffer.concat(written));
      },
      get closed() {
        return closed || stream.destroyed || stream.writableEnded;
      },
    };
  };
  return { intake, requests, problems, open };
}

describe('HTTP intake (the tracker port after an HTTP request line)', () => {
  let h;
  afterEach(() => h?.intake.close());

  it('reads pipelined requests in order, split anywhere, with Content-Length and chunked bodies', async () => {
    h = harness();
    const wire =
      'GET /?id=1 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n3\r\nid=\r\n1\r\n2\r\n0\r\n\r\n' +
      'POST /json HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"id":"3"}\n';
    const c = h.open(wire.slice(0, 17));
    for (let at = 17; at < wire.length; at += 13) {
      c.send(wire.slice(at, at + 13));
      await settle();
    }
    assert.deepEqual(
      h.requests.map((r) => [r.method, r.url, r.body]),
      [
        ['GET', '/?id=1', ''],
        ['POST', '/', 'id=2'],
        ['POST', '/json', '{"id":"3"}\n'],
      ],
    );
    assert.equal(h.requests[2].headers['content-type'], 'application/json', 'header names in lower case');
    assert.deepEqual(
      c.answers.map((a) => [a.status, a.headers['content-length'], a.body, a.headers.connection]),
      [
        [200, '0', '', 'keep-alive'],
        [200, '0', '', 'keep-alive'],
        [200, '0', '', 'keep-alive'],
      ],
    );
    assert.ok(!c.closed);
  });

  it('answers 100 Continue when asked, then the request', async () => {
    h = harness();
    const c = h.open('POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await settle();
    assert.match(c.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    c.send('id=7');
    await settle();
    assert.deepEqual(
      h.requests.map((r) => r.body),
      ['id=7'],
    );
    assert.equal(c.answers.at(-1).status, 200);
  });

  it('carries a body given by the handler (a queued command) and closes on Connection: close', async () => {
    h = harness({}, () => ({ status: 200, body: Buffer.from('reboot') }));
    const c = h.open('GET /?id=1 HTTP/1.1\r\nConnection: close\r\n\r\n');
    await settle();
    assert.deepEqual(
      c.answers.map((a) => [a.status, a.body]),
      [[200, 'reboot']],
    );
    assert.ok(c.closed);
  });

  it('413 for a declared body over the limit, without reading it; the connection is closed', async () => {
    h = harness({ maxBodyBytes: 1000 });
    const c = h.open('POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n');
    await settle();
    assert.equal(c.answers[0].status, 413);
    assert.equal(c.answers[0].body, 'Request body too large.\n');
    assert.equal(c.answers[0].headers.connection, 'close');
    assert.deepEqual(h.requests, []);
    assert.equal(h.problems[0].code, 'oversize');
  });

  it('413 for a chunked body that grows past the limit, holding no more than the limit', async () => {
    h = harness({ maxBodyBytes: 1000 });
    const c = h.open('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 20; i++) c.send(`64\r\n${'a'.repeat(100)}\r\n`);
    await settle();
    assert.equal(c.answers[0].status, 413);
    assert.deepEqual(h.requests, []);
  });

  it('431 for a head over the limit or too many header lines; 400 for what is not HTTP', async () => {
    h = harness({ maxHeadBytes: 1024, maxHeaders: 8 });
    const big = h.open(`GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}\r\n\r\n`);
    const many = h.open(`GET / HTTP/1.1\r\n${'X-A: 1\r\n'.repeat(9)}\r\n`);
    const bad = h.open('GET / HTTP/1.1\r\nno colon here\r\n\r\n');
    const smuggle = h.open('POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    await settle();
    assert.equal(big.answers[0].status, 431);
    assert.equal(many.answers[0].status, 431);
    assert.equal(bad.answers[0].status, 400);
    assert.equal(smuggle.answers[0].status, 400);
    for (const c of [big, many, bad, smuggle]) assert.ok(c.closed);
    assert.deepEqual(h.requests, []);
    assert.equal(h.problems.length, 4);
  });

  it('answers never repeat what the client sent', async () => {
    h = harness({}, () => ({ status: 400 }));
    const marker = '%3Cscript%3Ealert(1)%3C/script%3E';
    const refused = h.open(`GET /?x=${marker} HTTP/1.1\r\nX-Echo: <script>\r\n\r\n`);
    const unreadable = h.open('GET /<script> HTTP/1.1\r\n bad <script>\r\n\r\n');
    await settle();
    for (const c of [refused, unreadable]) {
      assert.equal(c.answers.length, 1);
      assert.equal(c.answers[0].status, 400);
      assert.ok(!/script|alert|X-Echo/i.test(c.text), c.text);
    }
  });

  it('a TLS handshake (an app given https://) is reported with the way out, and closed', () => {
    h = harness();
    const c = h.open('\x16\x03\x01\x02\x00\x01\x03\x03');
    assert.ok(c.closed);
    assert.equal(h.problems[0].code, 'unknown-protocol');
    assert.match(h.problems[0].message, /https:\/\/.*http:\/\/.*TLS-terminating proxy/);
  });

  it('cuts off a client that sends its head too slowly (408)', async function () {
    this.timeout(8000);
    h = harness({ headersTimeout: 1, requestTimeout: 2 });
    const c = h.open('GET /?id=1 HTTP/1.1\r\nX-Slow: ');
    const started = Date.now();
    while (!c.closed && Date.now() - started < 6000) {
      c.send('a');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(c.closed, 'still open');
    assert.equal(c.answers[0]?.status, 408);
    assert.deepEqual(h.requests, []);
  });

  it('a handler that throws costs its request a 500, not the connection', async () => {
    let n = 0;
    h = harness({}, () => {
      if (n++ === 0) throw new Error('boom');
      return { status: 200 };
    });
    const c = h.open('GET /?id=1 HTTP/1.1\r\n\r\nGET /?id=2 HTTP/1.1\r\n\r\n');
    await settle();
    assert.deepEqual(
      c.answers.map((a) => a.status),
      [500, 200],
    );
    assert.match(h.problems[0].message, /boom/);
  });
});

describe('HttpReplay (captured bytes through the same path, no socket)', () => {
  it('decodes a capture line by line: records, and the answers as they go on the wire', async () => {
    const replay = new HttpReplay(createSession());
    const first = await replay.push(Buffer.from('GET /?id=77&lat=52.5&lon=13.4&timestamp=1700000000 HT'));
    assert.deepEqual([first.messages, first.replies], [[], []]);
    const second = await replay.push(Buffer.from('TP/1.1\r\n\r\nGET /?lat=1 HTTP/1.1\r\n\r\n'));
    assert.deepEqual(
      second.messages.map((m) => [m.deviceId, m.lat, m.time]),
      [['77', 52.5, '2023-11-14T22:13:20.000Z']],
    );
    assert.deepEqual(
      answers(second.replies[0]).map((a) => a.status),
      [200, 400],
    );
    assert.equal(second.errors[0].code, 'not-identified');
    replay.close();
  });

  it('leaves binary protocols to the session, unchanged', async () => {
    const replay = new HttpReplay(createSession());
    const r = await replay.push(Buffer.from('78780d01012345678901234500018cdd0d0a', 'hex'));
    assert.deepEqual(
      r.replies.map((b) => b.toString('hex')),
      ['787805010001d9dc0d0a'],
    );
    replay.close();
  });
});
