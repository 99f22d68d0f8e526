'use strict';
// H02 and GPS103 through the command-line decoder and the simulator against the server (real sockets).
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { TrackerServer, Simulator } = require('../../dist/index.js');

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracker-decode.js');
const decode = (args, lines) =>
  spawnSync(process.execPath, [BIN, ...args], { input: `${lines.join('\n')}\n`, encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const hex = (s) => Buffer.from(s, 'latin1').toString('hex');

describe('tracker-decode with H02 and GPS103', () => {
  it('decodes H02 text and binary alike with --protocol h02 and auto, answering with the --now time', () => {
    const lines = [
      hex('*HQ,4210051415,V1,164549,A,0956.3869,N,08406.7068,W,000.00,000,221215,FFFFFBFF#'),
      '2441060116601245431311165035313006004318210e000000fffffbffff0024',
    ];
    for (const protocol of ['h02', 'auto']) {
      const [text, binary] = decode(['--protocol', protocol, '--now', '2024-01-02T03:04:05Z'], lines);
      assert.equal(text.messages[0].time, '2015-12-22T16:45:49.000Z');
      assert.equal(Buffer.from(text.replies[0], 'hex').toString(), '*HQ,4210051415,V4,V1,20240102030405#');
      assert.equal(binary.messages[0].deviceId, '4106011660');
      assert.equal(Buffer.from(binary.replies[0], 'hex').toString(), '*HQ,4106011660,R12,030405#');
    }
    const [local] = decode(['--protocol', 'h02', '--timezone=-360', '--now', '2024-01-02T03:04:05Z'], lines);
    assert.equal(local.messages[0].time, '2015-12-22T22:45:49.000Z', 'a device clock at UTC-6');
  });

  it('decodes GPS103 with --protocol gps103 and auto; --timezone sets the device clock', () => {
    const lines = [
      hex('##,imei:359586015829802,A;'),
      hex('imei:359586015829802,OBD,240102050420,51442,0.00,15.88,5632,122,40.39%,95,0.00%,2101,13.80,,,,;'),
    ];
    for (const protocol of ['gps103', 'auto']) {
      const [login, obd] = decode(['--protocol', protocol, '--timezone', '120'], lines);
      assert.equal(Buffer.from(login.replies[0], 'hex').toString(), 'LOAD');
      assert.equal(obd.messages[0].time, '2024-01-02T03:04:20.000Z');
    }
  });
});

describe('tracker-sim H02 and GPS103 devices against the server', function () {
  this.timeout(20000);
  it('log in, report and raise SOS alarms with no wrong reply', async () => {
    const server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await server.listen();
    const alarms = new Map();
    server.on('message', (m) => m.alarms.length && alarms.set(m.protocol, m.alarms));
    const sim = new Simulator({ port: server.port, devices: 8, protocols: ['h02', 'gps103'], rate: 200, heartbeat: 1 });
    try {
      await sim.start();
      await sim.waitUp();
      for (let i = 0; i < 8; i++) sim.sos(i);
      await new Promise((r) => setTimeout(r, 1500));
      const s = await sim.stop();
      assert.equal(s.counters.wrongReplies, 0);
      assert.equal(s.counters.devicesUp, 8);
      assert.ok(s.counters.positionsAcked > 100, `${s.counters.positionsAcked} positions`);
      assert.deepEqual(Object.fromEntries([...alarms].sort()), { gps103: ['sos'], h02: ['sos'] });
      assert.equal(server.stats.decodeErrors, 0);
    } finally {
      await server.close();
    }
  });
});
