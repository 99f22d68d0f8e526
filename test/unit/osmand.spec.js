'use strict';
// OsmAnd / Traccar Client codec: hand-checked values of the vectors' worked examples and of every parameter
// the apps and scripts send, detection on the shared port, and bad input (pure: no sockets).
const assert = require('node:assert/strict');
const { createSession, getCodec } = require('../../dist/index.js');
const { request, decode } = require('../lib/osmand');

const V = require('../fixtures/traccar/osmand.json');
const vector = (group, seq) => V.decode.find((v) => v.group.endsWith(group) && v.seq === seq);

describe('OsmAnd codec: Traccar Client 9 JSON', () => {
  it('decodes the worked example (JSON #3): time, position, m/s to km/h, course, battery, motion, activity', () => {
    const v = vector('testDecodeJson', 3);
    const { status, messages, conn } = decode({ method: 'POST', url: '/', headers: v.headers, body: v.body });
    assert.equal(status, 200);
    assert.equal(conn.deviceId, '8737767034');
    const [m] = messages;
    assert.equal(m.type, 'position');
    assert.equal(m.deviceId, '8737767034');
    assert.equal(m.time, '2021-07-21T08:06:34.444Z');
    assert.deepEqual([m.lat, m.lon, m.valid], [-6.1148096, 106.6837015, true]);
    assert.equal(m.speed, 67.21); // 18.67 m/s
    assert.equal(m.course, 63);
    assert.equal(m.altitude, 35.7);
    assert.deepEqual(m.attributes, {
      accuracy: 3.8, // kept, although Traccar drops accuracies under 10 m
      motion: false,
      odometer: 0,
      trigger: 'motionchange',
      activity: 'still',
      batteryLevel: 79,
    });
    assert.equal(m.attributes.charge, undefined, 'is_charging false is what the SDK sends when it does not know');
  });

  it('leaves out what the iOS simulator marks unknown (-1) and keeps mock, extras and the SOS alarm', () => {
    const body = JSON.stringify({
      location: {
        timestamp: '2025-06-15T13:45:12.862Z',
        coords: { latitude: 37.33, longitude: -122.03, accuracy: 5, speed: -1, heading: -1, altitude: 0 },
        battery: { level: -1, is_charging: true },
        mock: true,
        alarm: 'sos',
        extras: { alarm: 'lowBattery', power: 12.5, device_integer_twelve_test: 12, note: 'hi', nested: { a: 1 } },
      },
      device_id: '48241179',
    });
    const [m] = decode({ method: 'POST', url: '/', headers: { 'Content-Type': 'application/json' }, body }).messages;
    assert.equal(m.speed, undefined);
    assert.equal(m.course, undefined);
    assert.equal(m.attributes.batteryLevel, undefined);
    assert.equal(m.attributes.charge, true);
    assert.equal(m.attributes.mock, true);
    assert.deepEqual(m.alarms, ['sos'], 'extras.alarm gives way to location.alarm');
    assert.equal(m.attributes.power, 12.5, 'an extra under a vocabulary name with its type lands there');
    assert.deepEqual(m.attributes.params, { device_integer_twelve_test: 12, note: 'hi', nested: '{"a":1}' });
  });

  it('takes a batch (location array) and the SDK JSON mode (array of flat objects), one record each', () => {
    const loc = (t, lat) => ({ timestamp: t, coords: { latitude: lat, longitude: 13.4 } });
    const batch = decode({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        location: [loc('2025-01-01T00:00:00Z', 52.1), loc('2025-01-01T00:01:00Z', 52.2)],
        device_id: 'a1',
      }),
    });
    assert.deepEqual(
      batch.messages.map((m) => [m.deviceId, m.time, m.lat]),
      [
        ['a1', '2025-01-01T00:00:00.000Z', 52.1],
        ['a1', '2025-01-01T00:01:00.000Z', 52.2],
      ],
    );
    const flat = decode({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { id: 'p7', lat: 52.5, lon: 13.4, timestamp: 1700000000, speed: 10, batt: 55, charge: true },
        { id: 'p7', lat: 52.6, lon: 13.5, timestamp: 1700000060, speed: 0 },
      ]),
    });
    assert.equal(flat.status, 200);
    assert.deepEqual(
      flat.messages.map((m) => [m.lat, m.time, m.speed]),
      [
        [52.5, '2023-11-14T22:13:20.000Z', 18.52],
        [52.6, '2023-11-14T22:14:20.000Z', 0],
      ],
    );
    assert.deepEqual([flat.messages[0].attributes.batteryLevel, flat.messages[0].attributes.charge], [55, true]);
  });

  it('answers 400 to JSON it cannot read, to two devices in one request and to no device at all', () => {
    const json = { 'content-type': 'application/json' };
    for (const body of ['{"location":', '[[[[', 'null', '"text"', `${'['.repeat(60000)}`]) {
      const r = decode({ method: 'POST', url: '/', headers: json, body });
      assert.equal(r.status, 400, body.slice(0, 20));
      assert.equal(r.messages.length, 0);
    }
    const two = decode({ method: 'POST', url: '/', headers: json, body: '[{"id":"a","lat":1,"lon":1},{"id":"b"}]' });
    assert.equal(two.status, 400);
    assert.match(two.errors.at(-1).message, /2 different device IDs/);
    const none = decode({ method: 'POST', url: '/', headers: json, body: '{"location":{"coords":{}}}' });
    assert.deepEqual([none.status, none.errors.at(-1).code], [400, 'not-identified']);
  });

  it('reads JSON sent without a content type, or as text/plain, as scripts do', () => {
    for (const headers of [{}, { 'content-type': 'text/plain' }]) {
      const r = decode({ method: 'POST', url: '/', headers, body: ' {"id":"s1","lat":1.5,"lon":2.5}' });
      assert.deepEqual([r.status, r.messages[0].lat], [200, 1.5]);
    }
  });
});

describe('OsmAnd codec: query and form parameters', () => {
  it('query #10: knots to km/h, course, ignition, unknown numbers under their vocabulary names', () => {
    const v = vector('testDecodeQuery', 10);
    const [m] = decode({ method: 'GET', url: v.uri }).messages;
    assert.equal(m.time, '2017-09-07T05:56:50.000Z');
    assert.equal(m.speed, 74.08); // 40 kn
    assert.equal(m.course, 7.19889788244);
    assert.equal(m.ignition, true);
    assert.deepEqual(m.attributes, { rpm: 933, fuel: 24 });
  });

  it('timestamps: seconds, milliseconds (#3), ISO with zone (#2), the naive form with + for space (#4)', () => {
    const time = (uri) => decode({ method: 'GET', url: uri }).messages[0].time;
    assert.equal(time(vector('testDecodeQuery', 3).uri), '2015-09-12T14:38:06.579Z');
    assert.equal(time(vector('testDecodeQuery', 2).uri), '2016-01-27T18:55:47.000Z');
    assert.equal(time(vector('testDecodeQuery', 4).uri), '2014-06-04T09:10:11.000Z');
    assert.equal(time('/?id=1&timestamp=1447068010.5'), '2015-11-09T11:20:10.500Z');
    assert.equal(time('/?id=1&timestamp=2016-01-27T20:55:47%2B02:00'), '2016-01-27T18:55:47.000Z');
    assert.equal(time('/?id=1&timestamp=2016-01-27T18:55:47.25-0130'), '2016-01-27T20:25:47.250Z');
  });

  it('reads a time without zone in the device clock offset, and keeps the receive time for a bad one', () => {
    const eastern = decode({ method: 'GET', url: '/?id=1&timestamp=2024-05-01+12:00:00' }, { timezoneOffset: 120 });
    assert.equal(eastern.messages[0].time, '2024-05-01T10:00:00.000Z');
    for (const bad of ['yesterday', '2024-13-01 00:00:00', '-5', '99999999999999999999']) {
      const r = decode({ method: 'GET', url: `/?id=1&timestamp=${bad}&lat=1&lon=2` });
      assert.equal(r.status, 200);
      assert.equal(r.messages[0].time, r.messages[0].receivedAt, bad);
      assert.match(r.errors[0].message, /"timestamp" is not a time/);
    }
  });

  it('#0 (kept back by the vectors): cells and Wi-Fi without a location give a network record', () => {
    const r = decode({
      method: 'GET',
      url: '/?id=123456&timestamp=1377177267&cell=257,2,16,2224&cell=257,2,16,2223,-90&wifi=00-14-22-01-23-45,-80&wifi=00-1C-B3-09-85-15,-70',
    });
    const [m] = r.messages;
    assert.equal(m.type, 'network');
    assert.equal(m.lat, undefined);
    assert.deepEqual(m.network, {
      cellTowers: [
        { mcc: 257, mnc: 2, lac: 16, cid: 2224 },
        { mcc: 257, mnc: 2, lac: 16, cid: 2223, rssi: -90 },
      ],
      wifiAccessPoints: [
        { mac: '00:14:22:01:23:45', rssi: -80 },
        { mac: '00:1C:B3:09:85:15', rssi: -70 },
      ],
    });
  });

  it('#1: no device ID is answered 400 and gives nothing', () => {
    const r = decode({ method: 'GET', url: vector('testDecodeQuery', 1).uri });
    assert.deepEqual([r.status, r.messages, r.errors[0].code], [400, [], 'not-identified']);
  });

  it('location=lat,lon (#9), deviceid (#7); 0,0 or half a position is no location', () => {
    const at = (uri) => decode({ method: 'GET', url: uri });
    const nine = at(vector('testDecodeQuery', 9).uri).messages[0];
    assert.deepEqual([nine.lat, nine.lon], [60, 30]);
    assert.equal(at(vector('testDecodeQuery', 7).uri).messages[0].deviceId, '123456');
    const zero = at('/?id=1&lat=0&lon=0&batt=50').messages[0];
    assert.deepEqual([zero.type, zero.lat, zero.valid], ['status', undefined, undefined]);
    const half = at('/?id=1&lat=52');
    assert.equal(half.messages[0].type, 'heartbeat');
    assert.match(half.errors[0].message, /both lat and lon/);
    const out = at('/?id=1&lat=91&lon=13');
    assert.match(out.errors[0].message, /"lat" is not a number from -90 to 90/);
  });

  it('speedUnit for OsmAnd (m/s) and scripts; valid=false keeps the position', () => {
    const speed = (q) => decode({ method: 'GET', url: `/?id=1&lat=1&lon=1&speed=10${q}` }).messages[0].speed;
    assert.equal(speed(''), 18.52);
    assert.equal(speed('&speedUnit=mps'), 36);
    assert.equal(speed('&speedUnit=kmh'), 10);
    assert.equal(speed('&speedUnit=mph'), 16.09);
    const r = decode({ method: 'GET', url: '/?id=1&lat=1&lon=1&valid=false&speedUnit=furlongs' });
    assert.equal(r.messages[0].valid, false);
    assert.match(r.errors[0].message, /"speedUnit" is not kn, kmh, mps or mph/);
  });

  it('the current Traccar Client form body, with the SDK battery details and the SOS button', () => {
    const body =
      'id=48241179&imei=356938035643809&lat=52.52&lon=13.405&timestamp=1748600000&accuracy=4.5&altitude=41.2' +
      '&speed=12.34&bearing=359.5&batt=76&charge=true&alarm=sos&battery_health=good&battery_voltage=4012' +
      '&battery_temp=28.5&driverUniqueId=D-17';
    const r = decode({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const [m] = r.messages;
    assert.deepEqual(r.errors, []);
    assert.equal(m.time, '2025-05-30T10:13:20.000Z');
    assert.equal(m.speed, 22.85);
    assert.equal(m.course, 359.5);
    assert.deepEqual(m.alarms, ['sos']);
    assert.deepEqual(m.attributes, {
      imei: '356938035643809',
      accuracy: 4.5,
      batteryLevel: 76,
      charge: true,
      batteryCondition: 'good',
      battery: 4.012,
      batteryTemp: 28.5,
      driverUniqueId: 'D-17',
    });
  });

  it('query and form body both count (a token or speed unit in the URL the user typed)', () => {
    const r = decode({
      method: 'POST',
      url: '/?token=s3cret&speedUnit=kmh',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=9&lat=1&lon=2&speed=50',
    });
    assert.equal(r.status, 200);
    assert.equal(r.credential, 's3cret');
    assert.equal(r.messages[0].speed, 50);
    assert.ok(!JSON.stringify(r.messages).includes('s3cret'), 'the token never reaches a record');
  });

  it('a push-token registration is a register record, not a position', () => {
    const r = decode({ method: 'POST', url: '/', body: 'id=48241179&notificationToken=fcm%3AAPA91b' });
    assert.deepEqual([r.messages[0].type, r.messages[0].attributes.notificationToken], ['register', 'fcm:APA91b']);
  });

  it('unknown parameters: a vocabulary name with the right type, else params (Traccar typing); odd names dropped', () => {
    const r = decode({
      method: 'GET',
      url: '/?id=1&power=12.5&temp1=21&mock=true&activity=walking&status=parked&foo=bar&n=3.5&t=true&__proto__=x&toString=1&a%20b=1',
    });
    const [m] = r.messages;
    assert.equal(m.attributes.power, 12.5);
    const huge = decode({ method: 'GET', url: '/?id=1&power=1e400&rpm=-2e999' }).messages[0].attributes;
    assert.deepEqual(huge.params, { power: '1e400', rpm: '-2e999' }, 'an infinite number is kept as the text sent');
    assert.equal(m.attributes.temp1, 21);
    assert.equal(m.attributes.mock, true);
    assert.equal(m.attributes.activity, 'walking');
    assert.equal(m.attributes.status, undefined, 'status is a number in the vocabulary: "parked" goes to params');
    assert.deepEqual(m.attributes.params, { status: 'parked', foo: 'bar', n: 3.5, t: true });
    assert.equal(Object.getPrototypeOf(m.attributes.params), Object.prototype, 'a plain object, for flows');
    assert.match(r.errors[0].message, /^3 parameters dropped/);
    assert.equal(`${m.attributes.params}`, '[object Object]');
  });

  it('keeps at most 100 parameters in params', () => {
    const many = Array.from({ length: 150 }, (_, i) => `p${i}=${i}`).join('&');
    const r = decode({ method: 'GET', url: `/?id=1&${many}` });
    assert.equal(Object.keys(r.messages[0].attributes.params).length, 100);
    assert.match(r.errors[0].message, /^50 parameters dropped/);
  });

  it('alarms: Traccar names, comma-separated; an unknown one is general with its text in params', () => {
    const [m] = decode({ method: 'GET', url: '/?id=1&alarm=sos,powerCut,doorbell' }).messages;
    assert.deepEqual(m.alarms, ['sos', 'powerCut', 'general']);
    assert.equal(m.attributes.params.alarm, 'doorbell');
  });

  it('bad values are reported by name (never by value) and skipped; the record still comes out', () => {
    const r = decode({ method: 'GET', url: '/?id=1&lat=1&lon=2&speed=fast&batt=250&charge=maybe&cell=1,2&wifi=zz,1' });
    assert.equal(r.status, 200);
    assert.equal(r.messages[0].type, 'position');
    assert.deepEqual(
      r.errors.map((e) => e.message.split(' ')[0]),
      ['"speed"', '"batt"', '"charge"', '"cell"', '"wifi"'],
    );
    assert.ok(r.errors.every((e) => e.deviceId === '1' && !/fast|250|maybe|zz/.test(e.message)));
  });
});

describe('OsmAnd codec: device IDs and credentials', () => {
  const id = (value) => decode({ method: 'GET', url: `/?id=${encodeURIComponent(value)}&lat=1&lon=1` });

  it('takes letters of any script, digits, . _ : @ + - and single inner spaces, trimmed', () => {
    for (const good of ['48241179', 'Bheki_Phone', 'Jürgen phone', 'car-7.a:b@c+d', ` ${'x'.repeat(64)} `])
      assert.equal(id(good).status, 200, good);
    assert.equal(id(' Anna phone ').conn.deviceId, 'Anna phone');
  });

  it('answers 400 to any other ID, without repeating it', () => {
    for (const bad of ['<script>', 'a  b', 'x'.repeat(65), 'a\u0000b', 'a/b', 'id\r\nX: y']) {
      const r = id(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.conn.deviceId, undefined);
      assert.ok(!r.errors.some((e) => e.message.includes(bad)));
    }
  });

  it('every request names its device: the connection keeps none from the previous request', () => {
    const session = createSession({ protocol: 'osmand' });
    assert.equal(session.decodeRequest(request({ method: 'GET', url: '/?id=a&lat=1&lon=1' })).status, 200);
    assert.equal(session.deviceId, 'a');
    const r = session.decodeRequest(request({ method: 'GET', url: '/?lat=1&lon=1' }));
    assert.equal(r.status, 400);
    assert.equal(session.deviceId, undefined);
    assert.equal(session.decodeRequest(request({ method: 'GET', url: '/?id=b' })).messages[0].deviceId, 'b');
  });

  it('finds the credential in a token parameter, a JSON token, Bearer or Basic authorization', () => {
    const cred = (r) => decode(r).credential;
    assert.equal(cred({ method: 'GET', url: '/?id=1&token=t1' }), 't1');
    assert.equal(
      cred({
        method: 'POST',
        url: '/',
        headers: { 'content-type': 'application/json' },
        body: '{"device_id":"1","token":"t2","location":{}}',
      }),
      't2',
    );
    assert.equal(cred({ method: 'GET', url: '/?id=1', headers: { authorization: 'Bearer t3' } }), 't3');
    const json = { 'content-type': 'application/json' };
    const inUrl = { method: 'POST', url: '/?token=t5', headers: json, body: '{"device_id":"1","location":{}}' };
    assert.equal(cred(inUrl), 't5', 'the token in the server URL counts for a JSON body too');
    const basic = `Basic ${Buffer.from('phone:t:4').toString('base64')}`;
    assert.equal(cred({ method: 'GET', url: '/?id=1', headers: { authorization: basic } }), 't:4');
    assert.equal(cred({ method: 'GET', url: '/?id=1', headers: { authorization: 'Digest x' } }), undefined);
  });
});

describe('OsmAnd detection on the shared port', () => {
  const detect = (text) => getCodec('osmand').detect(Buffer.from(text, 'latin1'), 0, Buffer.byteLength(text, 'latin1'));

  it('says Yes to an HTTP/1.x request line of any method, More to a part of one, No to the rest', () => {
    for (const m of ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH'])
      assert.equal(detect(`${m} /?id=1 HTTP/1.1\r\n`), 1, m);
    assert.equal(detect('GET http://host:5055/?id=1 HTTP/1.0\r\n'), 1);
    for (const part of [
      'G',
      'PO',
      'GET',
      'GET ',
      'GET /',
      'GET /?id=1',
      'GET / HTTP/1.',
      'GET / HTTP/1.1',
      'GET / HTTP/1.1\r',
    ])
      assert.equal(detect(part), 2, part);
    for (const no of [
      'GETX',
      'GET  /',
      'GET x',
      'GET /\r\n',
      'GET / HTTP/2.0\r\n',
      'GET / HTTP/1.1\n',
      'GET /a\u0000b HTTP/1.1\r\n',
      'PRI * HTTP/2.0\r\n',
      'Hello',
    ])
      assert.equal(detect(no), 0, JSON.stringify(no));
    assert.equal(detect(`GET /${'a'.repeat(9000)}`), 0, 'a request line longer than 8 KiB is not one');
  });

  it('recognises a TLS ClientHello (an app given https://), and nothing shorter', () => {
    assert.equal(detect('\x16\x03\x01\x02\x00\x01'), 1);
    assert.equal(detect('\x16\x03\x01'), 2);
    assert.equal(detect('\x16\x03\x09\x02\x00\x01'), 0);
    assert.equal(detect('\x16\x03\x01\x02\x00\x02'), 0);
  });

  it('hands the connection over from the start of the request, after junk, split anywhere', () => {
    const wire = Buffer.from(vector('testDecodeQuery', 10).hex, 'hex');
    const junk = Buffer.from('\x00\x01SSH-2.0\r\n', 'latin1');
    const all = Buffer.concat([junk, wire]);
    for (let cut = 1; cut < all.length; cut += 7) {
      const s = createSession();
      const first = s.push(all.subarray(0, cut));
      const second = first.handover ? undefined : s.push(all.subarray(cut));
      const handover = first.handover ?? second.handover;
      assert.equal(s.protocol, 'osmand', `cut ${cut}`);
      assert.ok(s.handedOver);
      const rest = first.handover ? all.subarray(cut) : Buffer.alloc(0);
      assert.equal(Buffer.concat([handover, rest]).toString('latin1'), wire.toString('latin1'), `cut ${cut}`);
    }
  });

  it('64 KiB of request-line starts that never finish do not pin a connection, and nothing throws', () => {
    const s = createSession();
    const r = s.push(Buffer.from('GET /GET /POST /'.repeat(4096), 'latin1'));
    assert.equal(r.handover, undefined);
    assert.equal(s.protocol, undefined);
    assert.ok(r.errors.every((e) => e.code === 'unknown-protocol'));
    assert.equal(s.stats.codecExceptions ?? 0, 0);
  });

  it('a session pinned to osmand hands everything over; its framer and frame decoder are never asked', () => {
    const s = createSession({ protocol: 'osmand' });
    const r = s.push(Buffer.from('POST / HTTP/1.1\r\n'));
    assert.equal(r.handover.toString(), 'POST / HTTP/1.1\r\n');
    assert.deepEqual([r.messages, r.errors, s.stats.frames], [[], [], 0]);
  });
});
