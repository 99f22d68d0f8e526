'use strict';
// The attacker mix of `npm run soak`: each attack runs on a timer beside the honest devices, from addresses of
// 127.0.0.0/8 other than 127.0.0.1 (where the honest devices are), and counts the bytes it sends and the bytes that
// come back to it (a reply to a spoofed UDP source is traffic reflected at someone else).
const dgram = require('node:dgram');
const net = require('node:net');
const { frame: jt808Frame } = require('../test/lib/jt808');
const { gt06Heartbeat } = require('../test/lib/gt06');
const F = require('../test/fixtures/gt06-frames');

/** Bytes sent and received back, and how many connections / datagrams / IDs, since the last `take()`. */
class Tally {
  constructor() {
    this.total = { sent: 0, back: 0, units: 0 };
    this.minute = { sent: 0, back: 0, units: 0 };
  }
  add(field, n) {
    this.total[field] += n;
    this.minute[field] += n;
  }
  take() {
    const m = this.minute;
    this.minute = { sent: 0, back: 0, units: 0 };
    return m;
  }
}

const randomByte = () => Math.floor(Math.random() * 256);
/** A loopback address other than 127.0.0.1: each attacker connection or datagram comes from elsewhere. */
const tcpSource = () => `127.0.${randomByte()}.${2 + Math.floor(Math.random() * 250)}`;
const spoofedSource = () =>
  `127.${1 + Math.floor(Math.random() * 254)}.${randomByte()}.${1 + Math.floor(Math.random() * 254)}`;

/** A repeated pattern `size` bytes long. */
function repeated(pattern, size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = pattern[i % pattern.length];
  return b;
}

/** Runs `fn` every `ms` until stopped; `stop()` also runs the cleanups registered with `track`. */
function every(ms, fn) {
  const cleanups = new Set();
  const track = (cleanup) => {
    cleanups.add(cleanup);
    return () => cleanups.delete(cleanup);
  };
  const timer = setInterval(() => fn(track), ms);
  return () => {
    clearInterval(timer);
    for (const c of cleanups) c();
  };
}

/** A TCP connection from another address that writes `first`, counts what comes back, lives at most `holdMs`. */
function tcpShot(port, tally, track, first, holdMs, onData) {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: tcpSource() });
  const untrack = track(() => s.destroy());
  const timer = setTimeout(() => s.destroy(), holdMs);
  s.on('error', () => {});
  s.on('close', () => {
    clearTimeout(timer);
    untrack();
  });
  s.on('connect', () => {
    tally.add('units', 1);
    tally.add('sent', first.length);
    s.write(first);
  });
  s.on('data', (d) => {
    tally.add('back', d.length);
    onData?.(s, d);
  });
  return s;
}

/** One datagram from a fresh socket on a spoofed-looking source; replies counted for `holdMs`, then closed. */
function udpShot(port, tally, track, data, holdMs) {
  const s = dgram.createSocket('udp4');
  let open = true;
  const close = () => {
    if (open) s.close();
    open = false;
  };
  const untrack = track(close);
  s.on('error', () => {});
  s.on('message', (m) => tally.add('back', m.length));
  s.bind(0, spoofedSource(), () => {
    if (!open) return;
    s.send(data, port, '127.0.0.1', () => {
      tally.add('units', 1);
      tally.add('sent', data.length);
    });
    setTimeout(() => {
      untrack();
      close();
    }, holdMs).unref();
  });
}

/**
 * Start-marker floods: 32 KiB of GT06 `78 78 ff` and of JT/T 808 `7e`, each second, over TCP (before and after a
 * login) and UDP: the shapes that make a framer rescan the rest of the chunk once per marker.
 */
function markers(port) {
  const tally = new Tally();
  const gt06 = repeated([0x78, 0x78, 0xff], 32768);
  const jt808 = repeated([0x7e], 32768);
  let n = 0;
  const stop = every(1000, (track) => {
    tcpShot(port, tally, track, gt06, 5000);
    tcpShot(port, tally, track, jt808, 5000);
    // after login: the junk rules of an identified connection
    let loggedIn = false;
    tcpShot(port, tally, track, Buffer.from(F.login(String(880000000000000 + n++)), 'hex'), 5000, (s) => {
      if (loggedIn) return;
      loggedIn = true;
      tally.add('sent', gt06.length);
      s.write(gt06);
    });
    udpShot(port, tally, track, gt06, 2000);
    udpShot(port, tally, track, jt808, 2000);
  });
  return { name: 'markers', tally, stop };
}

/**
 * JT/T 808 sub-package claims: frames saying they are part 1 of 65,535 (and of 65,534...), four per connection,
 * a new connection every 2 s held for a minute; and one such datagram every 5 s from a spoofed source.
 */
function reassembly(port) {
  const tally = new Tally();
  let n = 0;
  const claim = (total) =>
    jt808Frame({
      msgId: 0x0200,
      phone: String(10000000000 + (n % 90000000000)).padStart(12, '0'),
      serial: 1,
      body: Buffer.alloc(8, 0x11),
      pkg: [total, 1],
    });
  let tick = 0;
  const stop = every(2000, (track) => {
    n++;
    tcpShot(port, tally, track, Buffer.concat([claim(65535), claim(65534), claim(65533), claim(65532)]), 60000);
    if (tick++ % 3 === 0) udpShot(port, tally, track, claim(65535), 5000);
  });
  return { name: 'reassembly', tally, stop };
}

/**
 * Made-up IDs: `rate` new GT06 devices per second, each on its own short connection from another address: a login
 * and a heartbeat with status bits (so every per-device map of the flow gets an entry), reset once answered.
 */
function ids(port, rate) {
  const tally = new Tally();
  let next = 870000000000000;
  let open = 0;
  const stop = every(100, (track) => {
    for (let i = 0; i < rate / 10 && open < 200; i++) {
      open++;
      const id = String(next++);
      const hello = Buffer.concat([Buffer.from(F.login(id), 'hex'), gt06Heartbeat(0x22, 2)]);
      let back = 0;
      const s = tcpShot(port, tally, track, hello, 5000, (socket, d) => {
        back += d.length;
        if (back >= 20) socket.resetAndDestroy(); // both answered: gone, without a TIME_WAIT
      });
      s.on('close', () => open--);
    }
  });
  return { name: 'ids', tally, stop };
}

/** Spoofed UDP: `rate` one-byte datagrams per second, each from a new source address and port. */
function udp(port, rate) {
  const tally = new Tally();
  const stop = every(50, (track) => {
    for (let i = 0; i < rate / 20; i++) udpShot(port, tally, track, Buffer.from([randomByte()]), 3000);
  });
  return { name: 'udp', tally, stop };
}

/** Junk connections: random bytes, idle sockets, slow drips (a new set every 2 s). */
function junk(port) {
  const tally = new Tally();
  const stop = every(2000, (track) => {
    tcpShot(port, tally, track, Buffer.from(Array.from({ length: 4096 }, randomByte)), 130000);
    for (let i = 0; i < 5; i++) tcpShot(port, tally, track, Buffer.alloc(0), 130000);
    const s = tcpShot(port, tally, track, Buffer.alloc(0), 130000);
    const drip = setInterval(() => {
      if (!s.writable) return clearInterval(drip);
      tally.add('sent', 1);
      s.write(Buffer.from([0x78]));
    }, 1000);
    s.on('close', () => clearInterval(drip));
  });
  return { name: 'junk', tally, stop };
}

const ATTACKS = {
  markers: (port) => markers(port),
  reassembly: (port) => reassembly(port),
  ids: (port, o) => ids(port, o.idRate),
  udp: (port, o) => udp(port, o.udpRate),
  junk: (port) => junk(port),
};

module.exports = { ATTACKS };
