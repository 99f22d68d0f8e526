'use strict';
// Frames the benchmarks feed: real device frames (Traccar's vectors, see test/fixtures/traccar/NOTICE) and
// the GT06 frames other Node parsers test with. Each workload starts with the frame that identifies the device.
const path = require('node:path');
const vectors = (p) => require(path.join(__dirname, '..', 'test', 'fixtures', 'traccar', `${p}.json`));
const hex = (s) => Buffer.from(s, 'hex');

const GT06_LOGIN = hex('78780d01012345678901234500018cdd0d0a');
const GT06_LOCATION = hex('78781f1211071403362aca0543ec4f00ff976e021549010603e6b500e7590074763d0d0a');
const GT06_HEARTBEAT = hex('78780a13400504000000153dc20d0a');

const byseq = (protocol, seq) => hex(vectors(protocol).decode.find((d) => d.seq === seq).hex);
// JT/T 808 0x0200 location (2013 header) with items 0x01, 0x30, 0x31: Traccar vector seq 2
const JT808_LOCATION = byseq('jt808', 2);
// JT600 short v1 binary location record, acknowledged with (P35): Traccar vector seq 3
const JT600_LOCATION = byseq('jt600', 3);
// iStartek VT600 000 position report: Traccar vector seq 0
const VT600_REPORT = byseq('vt600', 0);
// H02 V1 text report (vector seq 49) and 32-byte binary position (vector seq 76)
const H02_TEXT = byseq('h02', 49);
const H02_BINARY = byseq('h02', 76);
// GPS103 tracker report (vector seq 42, ends with its `;`)
const GPS103_REPORT = byseq('gps103', 42);
// TK103 BR00 position (Traccar vector seq 34), after its BP05 login (seq 35)
const TK103_LOGIN = byseq('tk103', 35);
const TK103_POSITION = byseq('tk103', 34);
// watch UD position with four cells (Traccar vector seq 38), after an LK heartbeat
const WATCH_LK = Buffer.from('[SG*8800000015*0002*LK]', 'latin1');
const WATCH_UD = vectors('watch').decode.find((d) => d.seq === 38 && d.group.endsWith('.testDecode'));
// Teltonika: the IMEI login, then Codec 8 AVL packets (TCP, CRC-16/IBM valid): seq 38, one record with four I/O
// elements (the worked example of docs/protocols/teltonika.md); seq 26, a batch of 14 records
const TELTONIKA_LOGIN = byseq('teltonika', 0);
const TELTONIKA_AVL = byseq('teltonika', 38);
const TELTONIKA_BATCH = byseq('teltonika', 26);

/** name -> { protocol, identify: Buffer, frames: Buffer[], reference?: the npm parser compared with } */
const WORKLOADS = {
  'gt06 location': { protocol: 'gt06', identify: GT06_LOGIN, frames: [GT06_LOCATION], reference: 'gt06-parser' },
  'gt06 mix': {
    protocol: 'gt06',
    identify: GT06_LOGIN,
    // 1 login : 8 locations : 1 heartbeat, as the peer benchmarks in the notes
    frames: [GT06_LOGIN, ...Array(8).fill(GT06_LOCATION), GT06_HEARTBEAT],
    reference: 'gt06-parser',
  },
  'jt808 location': { protocol: 'jt808', identify: JT808_LOCATION, frames: [JT808_LOCATION] },
  'jt600 location': { protocol: 'jt600', identify: JT600_LOCATION, frames: [JT600_LOCATION] },
  'vt600 report': { protocol: 'vt600', identify: VT600_REPORT, frames: [VT600_REPORT] },
  'h02 text': { protocol: 'h02', identify: H02_TEXT, frames: [H02_TEXT] },
  'h02 binary': { protocol: 'h02', identify: H02_BINARY, frames: [H02_BINARY] },
  'gps103 report': { protocol: 'gps103', identify: GPS103_REPORT, frames: [GPS103_REPORT] },
  'tk103 position': { protocol: 'tk103', identify: TK103_LOGIN, frames: [TK103_POSITION] },
  'watch position': { protocol: 'watch', identify: WATCH_LK, frames: [hex(WATCH_UD.hex)] },
  'teltonika avl': {
    protocol: 'teltonika',
    identify: TELTONIKA_LOGIN,
    frames: [TELTONIKA_AVL],
    reference: 'teltonika-parser',
  },
  'teltonika batch': {
    protocol: 'teltonika',
    identify: TELTONIKA_LOGIN,
    frames: [TELTONIKA_BATCH],
    reference: 'teltonika-parser',
  },
};

module.exports = { WORKLOADS, vectors, hex, GT06_LOGIN, GT06_LOCATION, GT06_HEARTBEAT };
