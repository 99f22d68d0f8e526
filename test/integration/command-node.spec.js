'use strict';
// tracker-command in a real Node-RED runtime with real sockets.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const commandNode = require('../../nodes/tracker-command.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { crc16 } = require('../lib/crc');
const { useNodeRed, commandFlow, listeningPort, receive } = require('../lib/red');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

function gt06Answer(flag, text) {
  const body = Buffer.concat([
    Buffer.from([0x15, 4 + text.length]),
    Buffer.from(flag.toString(16).padStart(8, '0'), 'hex'),
    Buffer.from(text, 'ascii'),
    Buffer.from([0x00, 0x02, 0x00, 0x21]),
  ]);
  const frame = Buffer.concat([Buffer.from([0x78, 0x78, body.length + 2]), body, Buffer.from([0, 0, 0x0d, 0x0a])]);
  frame.writeUInt16BE(crc16(frame.subarray(2, frame.length - 4)), frame.length - 4);
  return frame;
}

function flow(port, commandProps = {}) {
  return [
    ...commandFlow(port, commandProps),
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

describe('tracker-command in Node-RED', () => {
  useNodeRed('cmd');

  it('engineStop reaches a connected GT06 as the exact 0x80 frame; its 0x15 answer comes out as result', async () => {
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(0));
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const statuses = receive('status', 2);
    helper.getNode('cmd').receive({ topic: F.IMEI, payload: { type: 'engineStop' }, keep: 'me' });
    await c.waitFor(10 + 23);
    const frame = c.received.subarray(10);
    const body = frame.subarray(2, frame.length - 4);
    assert.equal(body.toString('hex'), '12800c0000000152656c61792c3123000000'.slice(0, body.length * 2));
    assert.equal(frame.readUInt16BE(frame.length - 4), crc16(body));
    assert.equal(frame.subarray(9, 17).toString('ascii'), 'Relay,1#');
    c.write(gt06Answer(1, 'Cut off the fuel supply: Success!'));
    const [sent, result] = await statuses;
    assert.equal(sent.payload.status, 'sent');
    assert.equal(sent.keep, 'me', 'the first status reuses the input msg');
    assert.equal(result.payload.status, 'result');
    assert.equal(result.payload.result, 'Cut off the fuel supply: Success!');
    assert.equal(result.payload.id, sent.payload.id);
    assert.equal(result.topic, F.IMEI);
    c.destroy();
  });

  it('uses the DYD family with the password credential when configured', async () => {
    const f = flow(0, { command: 'engineStop', alternative: true });
    await helper.load([serverNode, inNode, commandNode, catchNode], f, { cmd: { password: '654321' } });
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    helper.getNode('cmd').receive({ topic: F.IMEI });
    await c.waitFor(10 + 26);
    assert.equal(c.received.subarray(9 + 10, 9 + 10 + 11).toString('ascii'), 'DYD,654321#');
    c.destroy();
  });

  it('sends the declared parameters the editor stored, and refuses values outside their declared range', async () => {
    const f = flow(0, { protocol: 'gt06', command: 'setTimezone', params: { offset: { v: 'tz', t: 'msg' } } });
    await helper.load([serverNode, inNode, commandNode, catchNode], f);
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const caught = receive('caught', 1);
    const statuses = receive('status', 2);
    helper.getNode('cmd').receive({ topic: F.IMEI, tz: -90 });
    helper.getNode('cmd').receive({ topic: F.IMEI, tz: 2000 });
    const [sent, failed] = await statuses;
    assert.equal(sent.payload.status, 'sent');
    assert.deepEqual(sent.payload.command, { type: 'setTimezone', offset: -90 });
    await c.waitFor(10 + 26);
    assert.match(c.received.subarray(10).toString('latin1'), /GMT,W,1,30#/);
    assert.equal(failed.payload.status, 'failed');
    assert.match(failed.payload.error, /"offset" must be a whole number from -720 to 840/);
    assert.match((await caught)[0].error.message, /offset/);
    c.destroy();
  });

  it("serves each protocol's declared commands to the editor", async () => {
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(0));
    const res = await helper.request().get('/tracker-command/commands').expect(200);
    const types = (p) => res.body.protocols[p].map((c) => c.type);
    assert.ok(types('gt06').includes('setTimezone') && !types('gt06').includes('takePhoto'));
    assert.ok(types('jt808').includes('takePhoto'));
    const periodic = res.body.protocols.gt06.find((c) => c.type === 'positionPeriodic');
    assert.deepEqual(
      periodic.params.filter((p) => !p.hidden).map((p) => [p.name, p.min, p.max, p.unit]),
      [['interval', 5, 18000, 's']],
    );
    assert.match(res.body.descriptions.engineStop, /fuel/);
  });

  it('queues for an offline device across a redeploy and sends it when the device returns', async () => {
    const port = await freePort();
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(port));
    await listeningPort();
    let c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    c.destroy();
    await delay(100);
    const queued = receive('status', 1);
    helper.getNode('cmd').receive({ topic: F.IMEI, payload: { type: 'positionPeriodic', interval: 60 } });
    const [q] = await queued;
    assert.equal(q.payload.status, 'queued');

    await helper.setFlows(flow(port), 'full'); // redeploy: a new server node loads the queue back
    await listeningPort();
    const sent = receive('status', 1);
    c = await tcpClient(port);
    c.write(F.LOGIN);
    const [s] = await sent;
    assert.equal(s.payload.status, 'sent');
    assert.equal(s.payload.id, q.payload.id);
    await c.waitFor(10 + 24); // 78 78 len, 80, cmdLen, flag(4), "TIMER,60#", serial, crc, 0d 0a
    assert.match(c.received.subarray(10).toString('latin1'), /TIMER,60#/);
    c.destroy();
  });

  it('reports a command past its time-to-live as expired', async () => {
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(0, { ttl: '1' }));
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    c.destroy();
    await delay(100);
    const statuses = receive('status', 2, 5000);
    helper.getNode('cmd').receive({ topic: F.IMEI, payload: 'WHERE#' });
    const [q, e] = await statuses;
    assert.equal(q.payload.status, 'queued');
    assert.equal(e.payload.status, 'expired');
    assert.equal(e.payload.command.text, 'WHERE#');
  });

  it('gives failed and a catchable error for unknown devices and bad commands, sending nothing', async () => {
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(0));
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const caught = receive('caught', 3);
    const statuses = receive('status', 2);
    const cmd = helper.getNode('cmd');
    cmd.receive({ topic: '42', payload: { type: 'engineStop' } });
    cmd.receive({ topic: F.IMEI, payload: { type: 'takePhoto' } });
    cmd.receive({ topic: F.IMEI, payload: 12 });
    const errors = await caught;
    assert.match(errors[0].error.message, /never connected/);
    assert.match(errors[1].error.message, /does not support/);
    assert.match(errors[2].error.message, /msg.payload must be a command/);
    const st = await statuses;
    assert.deepEqual(
      st.map((m) => m.payload.status),
      ['failed', 'failed'],
    );
    await delay(50);
    assert.equal(c.received.length, 10, 'nothing but the login ACK was written');
    c.destroy();
  });

  it('lists connected devices on the admin endpoint', async () => {
    await helper.load([serverNode, inNode, commandNode, catchNode], flow(0));
    const port = await listeningPort();
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const res = await helper.request().get('/tracker-server/srv/devices').expect(200);
    assert.equal(res.body.deployed, true);
    assert.deepEqual(
      res.body.devices.map((d) => [d.deviceId, d.protocol, d.transport]),
      [[F.IMEI, 'gt06', 'tcp']],
    );
    c.destroy();
  });
});
