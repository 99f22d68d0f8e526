'use strict';
// The trackers hobbyists buy, all at once on one tracker-server port (issue 17's joint check): an H02 sending text,
// an H02 sending binary, a Coban GPS103, a TK103 and a kids' watch, through Node-RED on real sockets, each
// acknowledged as its device expects, their positions and alarms out of tracker-in.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const commandNode = require('../../nodes/tracker-command.js');
const { tcpClient, delay } = require('../lib/clients');
const { useNodeRed, commandFlow, listeningPort, collect } = require('../lib/red');
const H = require('../lib/h02');

helper.init(require.resolve('node-red'));
const ascii = (s) => Buffer.from(s, 'latin1');
const IMEI = '359586015829802';

/** Waits until what a client received matches `pattern` `n` times. */
async function replies(client, pattern, n, ms = 4000) {
  const end = Date.now() + ms;
  for (;;) {
    const list = client.received.toString('latin1').match(pattern) ?? [];
    if (list.length >= n) return list;
    if (Date.now() > end) throw new Error(`got ${JSON.stringify(list)}, wanted ${n} replies`);
    await delay(10);
  }
}

describe('H02, GPS103, TK103 and a watch at once on one port (Node-RED, real sockets)', () => {
  useNodeRed('four-protocols');

  it('acknowledges each as its device expects; positions and alarms come out of tracker-in', async () => {
    await helper.load([serverNode, inNode, commandNode], commandFlow());
    const port = await listeningPort();
    const got = collect('out');
    const [h02Text, h02Binary, coban, tk103, watch] = await Promise.all([1, 2, 3, 4, 5].map(() => tcpClient(port)));

    const t = new Date(Math.floor((Date.now() - 60000) / 1000) * 1000);
    const iso = t.toISOString();
    const hhmmss = iso.slice(11, 19).replace(/:/g, '');
    const ddmmyy = `${iso.slice(8, 10)}${iso.slice(5, 7)}${iso.slice(2, 4)}`;
    const v1 = (status) =>
      H.text('4106000826', 'V1', hhmmss, 'A', '5230.0000', 'N', '01324.0000', 'E', '10.00', '90', ddmmyy, status);
    // all five start at once: every first frame is detected on its own connection, in any order
    h02Text.write(Buffer.concat([v1('FFFFFBFF'), v1('FFFFFBFD')]));
    h02Binary.write(H.binary({ id: '4106011660', time: t.getTime(), lat: -33.5, lon: -70.25 }));
    coban.write(ascii(`##,imei:${IMEI},A;`));
    tk103.write(
      ascii(
        '(088047365460BP05354188047365460150929A3258.1754S02755.4323E009.4193927301.9000000000L00000000)' +
          '(088047365460BO012151024A2555.3531S02855.3329E000.0055148276.1701000000L00009AA3)',
      ),
    );
    watch.write(
      ascii(
        '[3G*4700186508*000B*LK,0,10,100]' +
          '[3G*4700186508*0080*AL,230817,095346,A,47.083950,N,15.4821850,E,7.60,273.8,0.0,4,15,44,0,0,00200010,2,255,232,1,7605,42530,118,7605,58036,119,0,65.8]',
      ),
    );
    await replies(coban, /LOAD/g, 1);
    const cobanReport = (keyword) =>
      ascii(
        `imei:${IMEI},${keyword},${ddmmyy.slice(4)}${ddmmyy.slice(2, 4)}${ddmmyy.slice(0, 2)}${hhmmss.slice(0, 4)},,F,${hhmmss}.000,A,5230.0000,N,01324.0000,E,10.00,90;`,
      );
    coban.write(Buffer.concat([cobanReport('tracker'), cobanReport('help me')]));

    const textAcks = await replies(h02Text, /\*HQ,4106000826,V4,V1,\d{14}#/g, 2);
    assert.equal(textAcks.length, 2);
    await replies(h02Binary, /\*HQ,4106011660,R12,\d{6}#/g, 1);
    assert.deepEqual(await replies(coban, /LOAD|\*\*,imei:\d+,E;/g, 2), ['LOAD', `**,imei:${IMEI},E;`]);
    await tk103.waitFor('(088047365460AP05)(088047365460AS012)'.length);
    assert.equal(tk103.received.toString(), '(088047365460AP05)(088047365460AS012)');
    await watch.waitFor('[3G*4700186508*0002*LK][3G*4700186508*0002*AL]'.length);
    assert.equal(watch.received.toString(), '[3G*4700186508*0002*LK][3G*4700186508*0002*AL]');

    for (let i = 0; i < 150 && got.length < 8; i++) await delay(20);
    const of = (protocol) => got.map((m) => m.payload).filter((m) => m.protocol === protocol);
    const h02 = of('h02');
    assert.deepEqual(
      h02.map((m) => [m.deviceId, m.lat, m.lon, m.alarms]),
      [
        ['4106000826', 52.5, 13.4, []],
        ['4106000826', 52.5, 13.4, ['sos']],
        ['4106011660', -33.5, -70.25, []],
      ],
    );
    const gps103 = of('gps103').filter((m) => m.type === 'position');
    assert.deepEqual(
      gps103.map((m) => [m.deviceId, m.lat, m.lon, m.alarms]),
      [
        [IMEI, 52.5, 13.4, []],
        [IMEI, 52.5, 13.4, ['sos']],
      ],
    );
    assert.deepEqual(
      of('tk103').map((m) => [m.deviceId, m.type, m.alarms]),
      [
        ['088047365460', 'position', []],
        ['088047365460', 'position', ['sos']],
      ],
    );
    assert.deepEqual(
      of('watch').map((m) => [m.deviceId, m.type, m.alarms]),
      [
        ['4700186508', 'heartbeat', []],
        ['4700186508', 'position', ['fallDown']],
      ],
    );
    for (const c of [h02Text, h02Binary, coban, tk103, watch]) c.destroy();
  });
});
