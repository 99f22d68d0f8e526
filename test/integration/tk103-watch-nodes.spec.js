'use strict';
// TK103 and a kids' watch on one tracker-server port next to a GT06 and a JT600 text device, through Node-RED,
// on real sockets: each acknowledged byte for byte, positions and alarms out of tracker-in, and commands from
// tracker-command whose answers (watch: by type; TK103 comma form: ZC03) come back as results.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const commandNode = require('../../nodes/tracker-command.js');
const { tcpClient, delay } = require('../lib/clients');
const { useNodeRed, commandFlow, listeningPort, receive, collect } = require('../lib/red');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));
const J600 = require('../fixtures/traccar/jt600.json');
const ascii = (s) => Buffer.from(s, 'latin1');

const TK103 = {
  login: '(088047365460BP05354188047365460150929A3258.1754S02755.4323E009.4193927301.9000000000L00000000)',
  position: '(088047365460BR00151024A2555.3531S02855.3329E004.7055148276.1701000000L00009AA3)',
  sos: '(088047365460BO012151024A2555.3531S02855.3329E000.0055148276.1701000000L00009AA3)',
};
const WATCH = {
  lk: '[3G*4700186508*000B*LK,0,10,100]',
  ud: '[3G*4700186508*0087*UD,220414,134652,A,22.571707,N,113.8613968,E,0.1,0.0,100,7,60,90,1000,50,00000000,4,1,460,0,9360,4082,131,9360,4092,148,9360,4091,143,9360,4153,141]',
  fall: '[3G*4700186508*0080*AL,230817,095346,A,47.083950,N,15.4821850,E,7.60,273.8,0.0,4,15,44,0,0,00200010,2,255,232,1,7605,42530,118,7605,58036,119,0,65.8]',
};

describe('TK103 and a watch beside GT06 and JT600 on one port (Node-RED, real sockets)', () => {
  useNodeRed('tk103-watch');

  it('answers each device as it expects and emits their positions and alarms; commands get their answers', async () => {
    await helper.load([serverNode, inNode, commandNode], commandFlow());
    const port = await listeningPort();
    const got = collect('out');
    const [gt06, jt600, tk103, watch] = await Promise.all([1, 2, 3, 4].map(() => tcpClient(port)));

    gt06.write(F.LOGIN + F.SOS);
    jt600.write(Buffer.from(J600.decode.find((v) => v.seq === 20).hex, 'hex')); // U01 text report
    // TK103: a frame split across writes, then two in one
    tk103.write(ascii(TK103.login.slice(0, 30)));
    await delay(30);
    tk103.write(ascii(TK103.login.slice(30)));
    tk103.write(ascii(TK103.position + TK103.sos));
    // watch: three frames in one write, the last one split
    watch.write(ascii(WATCH.lk + WATCH.ud + WATCH.fall.slice(0, 50)));
    await delay(30);
    watch.write(ascii(WATCH.fall.slice(50)));

    await gt06.waitFor(20);
    assert.equal(gt06.received.toString('hex'), F.LOGIN_ACK + F.SOS_ACK);
    await jt600.waitFor(5);
    assert.equal(jt600.received.toString(), '(S39)');
    const tkReplies = '(088047365460AP05)(088047365460AS012)';
    await tk103.waitFor(tkReplies.length);
    assert.equal(tk103.received.toString(), tkReplies, 'AP05 for the login, AS01 + the digit for the alarm');
    const watchReplies = '[3G*4700186508*0002*LK][3G*4700186508*0002*AL]';
    await watch.waitFor(watchReplies.length);
    assert.equal(watch.received.toString(), watchReplies, 'LK and AL answered, UD not');

    for (let i = 0; i < 100 && got.length < 9; i++) await delay(20);
    const records = (protocol) => got.map((m) => m.payload).filter((m) => m.protocol === protocol);
    const [login, position, alarm] = records('tk103');
    assert.deepEqual(
      [login.type, login.deviceId, login.time, login.attributes.imei],
      ['position', '088047365460', '2015-09-29T19:39:27.000Z', '354188047365460'],
    );
    assert.deepEqual([position.lat.toFixed(6), position.lon.toFixed(6)], ['-25.922552', '28.922215']);
    assert.equal(position.ignition, true);
    assert.deepEqual(alarm.alarms, ['sos']);
    const [heartbeat, ud, fall] = records('watch');
    assert.deepEqual([heartbeat.type, heartbeat.attributes.batteryLevel], ['heartbeat', 100]);
    assert.deepEqual(
      [ud.type, ud.lat, ud.lon, ud.time],
      ['position', 22.571707, 113.8613968, '2014-04-22T13:46:52.000Z'],
    );
    assert.deepEqual([fall.alarms, fall.attributes.motion], [['fallDown'], true]);
    assert.deepEqual(records('gt06').at(-1).alarms, ['sos']);
    assert.equal(records('jt600')[0].type, 'position');
    const topics = new Set(got.map((m) => m.topic));
    for (const id of ['088047365460', '4700186508']) assert.ok(topics.has(id), `msg.topic ${id}`);

    // a command to the watch: it goes out as SG (the 3G maker's command prefix); the watch answers SOS1
    const watchStatus = receive('status', 2);
    helper
      .getNode('cmd')
      .receive({ topic: '4700186508', payload: { type: 'sosNumber', index: 1, phone: '123456789' } });
    const command = '[SG*4700186508*000e*SOS1,123456789]';
    await watch.waitFor(watchReplies.length + command.length);
    assert.equal(watch.received.toString().slice(watchReplies.length), command);
    watch.write(ascii('[3G*4700186508*0004*SOS1]'));
    const [sent, result] = await watchStatus;
    assert.deepEqual([sent.payload.status, result.payload.status], ['sent', 'result']);
    assert.equal(result.payload.result, 'SOS1');
    assert.equal(result.payload.id, sent.payload.id);

    // a fixed-form TK103 gets its engine stop; nothing comes back that names it, so nothing is awaited
    const tkStatus = receive('status', 1);
    helper.getNode('cmd').receive({ topic: '088047365460', payload: { type: 'engineStop' } });
    await tk103.waitFor(tkReplies.length + 19);
    assert.equal(tk103.received.toString().slice(tkReplies.length), '(088047365460AV010)');
    assert.equal((await tkStatus)[0].payload.status, 'sent');

    for (const c of [gt06, jt600, tk103, watch]) c.destroy();
  });

  it('a comma-form TK103 gets its commands as SMS text and answers them with ZC03', async () => {
    await helper.load([serverNode, inNode, commandNode], commandFlow());
    const port = await listeningPort();
    const records = receive('out', 1);
    const unit = await tcpClient(port);
    unit.write(ascii('(864555555555555,DW3B,131117,A,5544.02870N,01315.08194E,1.597,223707,291.65,-0.10,4)'));
    const [first] = await records;
    assert.equal(first.payload.protocol, 'tk103');
    const statuses = receive('status', 2);
    helper.getNode('cmd').receive({ topic: '864555555555555', payload: { type: 'getVersion' } });
    await unit.waitFor(25);
    assert.equal(unit.received.toString(), '[begin]sms2,*about*,[end]');
    unit.write(ascii('(864555555555555,ZC03,191117,234207,$Notice: Device version: 1.0$)'));
    const [sent, result] = await statuses;
    assert.deepEqual([sent.payload.status, result.payload.status], ['sent', 'result']);
    assert.equal(result.payload.result, 'Notice: Device version: 1.0');
    unit.destroy();
  });
});
