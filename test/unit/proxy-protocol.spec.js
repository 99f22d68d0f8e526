'use strict';
// The PROXY protocol parser (v1 and v2) and the trusted-proxy list: every variant, every prefix, bounds, and
// properties over arbitrary bytes (never a throw, never more than the bound held, addresses read back).
const assert = require('node:assert/strict');
const fc = require('fast-check');
const {
  parseProxyHeader,
  proxySignature,
  TrustedProxies,
  MAX_V1_HEADER,
  MAX_V2_HEADER,
} = require('../../dist/index.js');
const { proxyV1, proxyV2, addressBytes, V2_SIGNATURE } = require('../lib/proxy');

const RUNS = Number(process.env.PROPERTY_RUNS || 300);
const SETTINGS = { seed: 20261207, numRuns: RUNS };
const DEVICE = Buffer.from('78780d01012345678901234500018cdd0d0a', 'hex'); // a GT06 login after the header

function done(buf) {
  const r = parseProxyHeader(buf);
  assert.equal(r.state, 'done', `expected a header, got ${JSON.stringify(r)}`);
  return r;
}

function invalid(buf, reason) {
  const r = parseProxyHeader(buf);
  assert.equal(r.state, 'invalid', `expected a refusal, got ${JSON.stringify(r)}`);
  if (reason) assert.match(r.reason, reason);
}

/** Every strict prefix of a complete header asks for more bytes. */
function everyPrefixPartial(header) {
  for (let n = 0; n < header.length; n++)
    assert.deepEqual(parseProxyHeader(header.subarray(0, n)), { state: 'partial' }, `prefix of ${n} bytes`);
}

describe('PROXY protocol v1', () => {
  it('TCP4: source and destination, header length, device bytes after it untouched', () => {
    const h = proxyV1('203.0.113.7', '192.0.2.1', 56324, 5023);
    const r = done(Buffer.concat([h, DEVICE]));
    assert.deepEqual(r, {
      state: 'done',
      version: 1,
      length: h.length,
      command: 'proxy',
      source: { address: '203.0.113.7', port: 56324 },
      destination: { address: '192.0.2.1', port: 5023 },
    });
    everyPrefixPartial(h);
  });

  it('TCP6: addresses in Node’s form (compressed, lower case; mapped IPv4 dotted)', () => {
    const r = done(proxyV1('2001:DB8:0:0:0:0:0:7', '2001:db8::1', 1, 65535));
    assert.deepEqual(r.source, { address: '2001:db8::7', port: 1 });
    assert.deepEqual(r.destination, { address: '2001:db8::1', port: 65535 });
    assert.equal(done(proxyV1('::ffff:198.51.100.9', '::1', 2, 3)).source.address, '::ffff:198.51.100.9');
  });

  it('UNKNOWN, with or without the rest of the line: use the connection’s own addresses', () => {
    assert.deepEqual(done(proxyV1()), { state: 'done', version: 1, length: 15, command: 'unknown' });
    const long = Buffer.from('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n');
    assert.equal(done(long).length, long.length);
  });

  it('the longest legal line (107 bytes) is read; one byte more without CRLF is refused', () => {
    const full = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const max = Buffer.from(`PROXY UNKNOWN ${full} ${full} 65535 65535\r\n`); // the protocol's worst case
    assert.equal(max.length, MAX_V1_HEADER);
    assert.equal(done(max).length, 107);
    const tcp6 = proxyV1(full, full, 65535, 65535);
    assert.equal(done(tcp6).length, 104);
    invalid(Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}`), /longer than 107/);
    invalid(Buffer.from(`PROXY UNKNOWN ${'x'.repeat(93)}`), /longer than 107/); // 107 bytes, no CRLF
  });

  it('refuses malformed lines at once', () => {
    invalid(Buffer.from('PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n'), /unknown family/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'), /4 fields/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n'), /4 fields/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n'), /address/);
    invalid(Buffer.from('PROXY TCP4 ::1 ::1 1 2\r\n'), /address/);
    invalid(Buffer.from('PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n'), /address/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n'), /port/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'), /port/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n'), /port/);
    invalid(Buffer.from('PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'), /fields|address/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX'), /CR without LF/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4\n'), /printable/);
    invalid(Buffer.from('PROXY TCP4 1.2.3.4\x00'), /printable/);
    invalid(Buffer.from('PROXI '), /not a PROXY/);
    invalid(Buffer.from('proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n'), /no PROXY/);
    invalid(DEVICE, /no PROXY/);
  });
});

describe('PROXY protocol v2', () => {
  it('PROXY over IPv4: source and destination; the device bytes start after the header', () => {
    const h = proxyV2({ src: '203.0.113.7', dst: '192.0.2.1', sport: 40000, dport: 5023 });
    assert.equal(h.length, 28);
    const r = done(Buffer.concat([h, DEVICE]));
    assert.deepEqual(r, {
      state: 'done',
      version: 2,
      length: 28,
      command: 'proxy',
      source: { address: '203.0.113.7', port: 40000 },
      destination: { address: '192.0.2.1', port: 5023 },
    });
    everyPrefixPartial(h);
  });

  it('PROXY over IPv6, and an IPv4 client in mapped form', () => {
    const h = proxyV2({ src: '2001:db8::42', dst: 'fe80::1', sport: 1, dport: 2 });
    assert.equal(h.length, 52);
    const r = done(h);
    assert.deepEqual(r.source, { address: '2001:db8::42', port: 1 });
    assert.deepEqual(r.destination, { address: 'fe80::1', port: 2 });
    assert.equal(done(proxyV2({ src: '::ffff:10.1.2.3', dst: '::1' })).source.address, '::ffff:10.1.2.3');
    assert.equal(done(proxyV2({ src: '::', dst: '::' })).source.address, '::');
    everyPrefixPartial(h);
  });

  it('TLVs after the addresses are skipped', () => {
    const tlvs = [
      { type: 0x01, value: Buffer.from('h2') }, // ALPN
      { type: 0x05, value: Buffer.from('unique-id-123') },
      { type: 0x20, value: Buffer.alloc(40, 7) }, // SSL block
      { type: 0x04, value: Buffer.alloc(0) }, // NOOP
    ];
    const h = proxyV2({ src: '198.51.100.1', dst: '192.0.2.1', sport: 9, dport: 10, tlvs });
    const r = done(Buffer.concat([h, DEVICE]));
    assert.equal(r.length, h.length);
    assert.equal(r.source.address, '198.51.100.1');
    everyPrefixPartial(h);
  });

  it('LOCAL (a health check): the connection’s own endpoints, even with addresses present', () => {
    assert.deepEqual(done(proxyV2({ command: 'local' })), { state: 'done', version: 2, length: 16, command: 'local' });
    const withAddresses = proxyV2({ command: 'local', src: '1.2.3.4', dst: '5.6.7.8' });
    assert.equal(done(withAddresses).command, 'local');
    assert.equal(done(withAddresses).source, undefined);
  });

  it('UNSPEC and UNIX families: unknown, skipped whole', () => {
    assert.equal(done(proxyV2({ family: 'unspec', transport: 0 })).command, 'unknown');
    const unix = proxyV2({ family: 'unix' });
    assert.deepEqual(done(unix), { state: 'done', version: 2, length: 232, command: 'unknown' });
  });

  it('refuses other versions, commands, families, short address blocks and headers past the bound', () => {
    const h = proxyV2({ src: '1.2.3.4', dst: '5.6.7.8' });
    const patched = (offset, value) => {
      const b = Buffer.from(h);
      b[offset] = value;
      return b;
    };
    invalid(patched(12, 0x11), /version 1/);
    invalid(patched(12, 0x22), /command 2/);
    invalid(patched(13, 0x41), /family/);
    invalid(patched(13, 0x13), /family or transport/);
    const short = Buffer.from(h);
    short.writeUInt16BE(8, 14); // INET needs 12
    invalid(short, /shorter than its addresses/);
    const huge = Buffer.from(h);
    huge.writeUInt16BE(MAX_V2_HEADER - 16 + 1, 14);
    invalid(huge.subarray(0, 16), /at most/); // refused from the fixed part, before the bytes are awaited
    const atBound = proxyV2({ src: '1.2.3.4', dst: '5.6.7.8', tlvs: [{ type: 0x04, value: Buffer.alloc(993) }] });
    assert.equal(atBound.length, MAX_V2_HEADER);
    assert.equal(done(atBound).length, MAX_V2_HEADER);
    invalid(Buffer.concat([V2_SIGNATURE.subarray(0, 5), Buffer.from([0x99])]), /not a PROXY/);
  });
});

describe('PROXY signature screening (connections that may not send a header)', () => {
  it('tells a header, too few bytes, and device traffic apart', () => {
    assert.equal(proxySignature(Buffer.from('PROXY TCP4')), 'header');
    assert.equal(proxySignature(Buffer.from('PROXY ')), 'header');
    assert.equal(proxySignature(V2_SIGNATURE), 'header');
    assert.equal(proxySignature(Buffer.alloc(0)), 'maybe');
    assert.equal(proxySignature(Buffer.from('PRO')), 'maybe');
    assert.equal(proxySignature(V2_SIGNATURE.subarray(0, 11)), 'maybe');
    assert.equal(proxySignature(Buffer.from('POST /?id=1')), 'none'); // OsmAnd over HTTP
    assert.equal(proxySignature(Buffer.from('PROXI')), 'none');
    assert.equal(proxySignature(Buffer.from('\r\n\r\nX')), 'none');
    assert.equal(proxySignature(DEVICE), 'none');
  });
});

describe('trusted proxies', () => {
  it('addresses and CIDR ranges, IPv4 and IPv6, mapped IPv4 both ways', () => {
    const t = new TrustedProxies(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '::ffff:198.51.100.0/120', ' ']);
    assert.equal(t.size, 4);
    for (const a of ['10.1.2.3', '::ffff:10.1.2.3', '192.0.2.7', '::ffff:192.0.2.7', '2001:db8:1::5', '198.51.100.9'])
      assert.equal(t.trusts(a), true, a);
    for (const a of ['11.0.0.1', '192.0.2.8', '2001:db9::1', '198.51.101.9', '::1', '', undefined])
      assert.equal(t.trusts(a), false, String(a));
    assert.equal(new TrustedProxies([]).trusts('127.0.0.1'), false);
    assert.equal(new TrustedProxies(['::ffff:127.0.0.1']).trusts('127.0.0.1'), true);
  });

  it('refuses entries that are not addresses or ranges', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '2001:db8::/129', '1.2.3.4/-1', '::ffff:1.2.3.4/90'])
      assert.throws(() => new TrustedProxies([bad]), RangeError, bad);
  });
});

describe('property: PROXY headers', () => {
  const byte = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 255 }) },
    { weight: 1, arbitrary: fc.constantFrom(0x0d, 0x0a, 0x20, 0x00, 0x21, 0x11, 0x20, 0x50) },
  );
  const tail = fc.array(byte, { maxLength: 1200 }).map((a) => Buffer.from(a));
  // Starts that reach deep into the parser: both signatures, then anything.
  const start = fc.constantFrom(Buffer.alloc(0), Buffer.from('PROXY '), Buffer.from('PROXY TCP4 '), V2_SIGNATURE);
  const input = fc.tuple(start, tail).map(([a, b]) => Buffer.concat([a, b]));

  it('never throws; a verdict is bounded: done within the limits, partial only below them', () => {
    fc.assert(
      fc.property(input, (buf) => {
        const r = parseProxyHeader(buf);
        if (r.state === 'done') {
          assert.ok(r.length <= buf.length);
          assert.ok(r.length <= (r.version === 1 ? MAX_V1_HEADER : MAX_V2_HEADER));
        }
        if (r.state === 'partial') assert.ok(buf.length < MAX_V2_HEADER, `partial after ${buf.length} bytes`);
        if (r.state === 'partial' && buf[0] === 0x50) assert.ok(buf.length < MAX_V1_HEADER);
        proxySignature(buf);
      }),
      SETTINGS,
    );
  });

  const ipv4 = fc.ipV4();
  const ipv6 = fc.ipV6();
  const port = fc.integer({ min: 0, max: 65535 });

  it('every address and port reads back as the same bytes (v1 and v2, IPv4 and IPv6)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), ipv4, ipv4, ipv6, ipv6, port, port, (v2, six, a4, b4, a6, b6, sp, dp) => {
        const [src, dst] = six ? [a6, b6] : [a4, b4];
        const h = v2 ? proxyV2({ src, dst, sport: sp, dport: dp }) : proxyV1(src, dst, sp, dp);
        const r = done(Buffer.concat([h, DEVICE]));
        assert.equal(r.length, h.length);
        assert.deepEqual(addressBytes(r.source.address), addressBytes(src));
        assert.deepEqual(addressBytes(r.destination.address), addressBytes(dst));
        assert.deepEqual([r.source.port, r.destination.port], [sp, dp]);
      }),
      SETTINGS,
    );
  });

  it('a header cut anywhere asks for more, and never for more than the header', () => {
    fc.assert(
      fc.property(fc.boolean(), ipv6, ipv6, port, fc.nat(), (v2, src, dst, p, cut) => {
        const h = v2 ? proxyV2({ src, dst, sport: p, dport: p }) : proxyV1(src, dst, p, p);
        assert.deepEqual(parseProxyHeader(h.subarray(0, cut % h.length)), { state: 'partial' });
      }),
      SETTINGS,
    );
  });
});
