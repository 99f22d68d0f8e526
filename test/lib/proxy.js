'use strict';
// PROXY protocol headers (v1 text, v2 binary) built from chosen values, written from the protocol's
// description and independent of src/: the tests feed them to the parser and to a real server.
const net = require('node:net');

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** 16 bytes of an IPv6 address in any textual form (with ::, or an embedded IPv4 tail). */
function ipv6Bytes(text) {
  let s = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    s = `${s.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(Number.parseInt(groups[i], 16), i * 2);
  return out;
}

function addressBytes(address) {
  return net.isIPv4(address) ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
}

/** "PROXY TCP4 src dst sport dport\r\n" (family from the address), or "PROXY UNKNOWN\r\n". */
function proxyV1(src, dst, sport, dport) {
  if (src === undefined) return Buffer.from('PROXY UNKNOWN\r\n');
  const family = net.isIPv4(src) ? 'TCP4' : 'TCP6';
  return Buffer.from(`PROXY ${family} ${src} ${dst} ${sport} ${dport}\r\n`);
}

/**
 * A v2 header. `command`: 'proxy' (default) or 'local'; `family`: 'inet', 'inet6' (from the address by default),
 * 'unspec' or 'unix'; `tlvs`: [{type, value: Buffer}] appended after the addresses.
 */
function proxyV2({ command = 'proxy', src, dst, sport = 0, dport = 0, family, transport = 1, tlvs = [] } = {}) {
  const fam = family ?? (src === undefined ? 'unspec' : net.isIPv4(src) ? 'inet' : 'inet6');
  let addresses;
  if (fam === 'inet' || fam === 'inet6') {
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(sport, 0);
    ports.writeUInt16BE(dport, 2);
    addresses = Buffer.concat([addressBytes(src), addressBytes(dst), ports]);
  } else addresses = Buffer.alloc(fam === 'unix' ? 216 : 0);
  const tlvBytes = Buffer.concat(
    tlvs.map(({ type, value }) => {
      const h = Buffer.alloc(3);
      h[0] = type;
      h.writeUInt16BE(value.length, 1);
      return Buffer.concat([h, value]);
    }),
  );
  const head = Buffer.alloc(4);
  head[0] = 0x20 | (command === 'local' ? 0 : 1);
  head[1] = ({ unspec: 0, inet: 1, inet6: 2, unix: 3 }[fam] << 4) | transport;
  head.writeUInt16BE(addresses.length + tlvBytes.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, addresses, tlvBytes]);
}

module.exports = { proxyV1, proxyV2, ipv6Bytes, addressBytes, V2_SIGNATURE };
