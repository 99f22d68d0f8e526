/**
 * Watch protocol decoding (docs/protocols/watch.md): `[MF*ID*[INDEX*]LEN*TYPE,fields]` from kids' watches and
 * personal trackers. Positions and alarms (UD*, AL*, WT), heartbeats (LK), health readings, voice (TK, JXTK
 * chunks) and photos (img); the replies LK, AL, TKQ, INIT and JXTK need; answers to commands, matched by type.
 */
import type { CellTower, TrackerMessage } from '../../types';
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { checkDeviceClock, type ClockCheck } from '../common/clock';
import { decimal } from '../common/fields';
import { alarmsOf } from '../common/flags';
import { hexWord } from '../common/hex';
import { addCell, addWifi } from '../common/network';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { digitsTime } from '../common/time';
import { unescapeContent, WATCH_HEADER } from './frame';
import { MOTION_BIT, WATCH_ALARMS } from './flags';
import { addVoiceChunk, expireVoice, type VoiceAssembly } from './voice';

export interface WatchState extends ClockCheck {
  /** Maker prefix of the last frame (`SG`, `3G`, `CS`, `ZJ`...), for replies and commands. */
  manufacturer?: string;
  /** The device numbers its frames (an INDEX field): commands carry one too. */
  hasIndex?: boolean;
  voice?: VoiceAssembly;
  /** An empty hemisphere letter was reported once on this connection. */
  hemisphereReported?: boolean;
}

/** One frame's header and its content, unescaped. */
interface WatchFrame {
  maker: string;
  id: string;
  index?: string;
  type: string;
  /** The content after `TYPE,` (empty when there is none). */
  body: Buffer;
  /** Whether every escape in the content was a known one. */
  clean: boolean;
}

type TypeReader = (f: WatchFrame, conn: Connection<WatchState>, out: DecodeOutput, frame: Buffer) => void;

/** The reply frame: the received maker and index, the content's length as 4 lowercase hex digits. */
function reply(f: WatchFrame, content: string): Buffer {
  const index = f.index === undefined ? '' : `${f.index}*`;
  return Buffer.from(`[${f.maker}*${f.id}*${index}${hexWord(content.length)}*${content}]`, 'latin1');
}

const text = (f: WatchFrame) => f.body.toString('latin1');
const values = (f: WatchFrame) => (f.body.length ? text(f).split(',') : []);

/** Types read by their exact name. */
const BY_TYPE: Readonly<Record<string, TypeReader>> = {
  LK: (f, conn, out) => {
    out.replies.push(reply(f, 'LK'));
    const v = values(f);
    const m = newMessage(conn, 'heartbeat');
    // LK,steps,rolls,battery%
    if (v.length >= 3) {
      m.attributes.steps = decimal(v[0]);
      m.attributes.batteryLevel = decimal(v[2]);
      pruneAttributes(m.attributes);
    }
    out.messages.push(m);
  },
  TKQ: (f, _conn, out) => void out.replies.push(reply(f, f.type)),
  TKQ2: (f, _conn, out) => void out.replies.push(reply(f, f.type)),
  INIT: (f, _conn, out) => void out.replies.push(reply(f, 'INIT,1')),
  TK: (f, conn, out, frame) => readVoiceMessage(f, conn, out, frame),
  TK2: (f, conn, out, frame) => readVoiceMessage(f, conn, out, frame),
  JXTK: (f, conn, out, frame) => {
    out.replies.push(reply(f, 'JXTKR,1'));
    // JXTK,0,<name>,<k>,<n>,<AMR bytes>
    let at = 0;
    const fields: string[] = [];
    for (let i = 0; i < 4; i++) {
      const comma = f.body.indexOf(0x2c, at);
      if (comma < 0 || comma - at > 64) break;
      fields.push(f.body.toString('latin1', at, comma));
      at = comma + 1;
    }
    const k = Number(fields[2]);
    const n = Number(fields[3]);
    if (fields.length < 4 || !Number.isInteger(k) || !Number.isInteger(n) || !f.clean)
      return reportError(out, conn, 'malformed', 'watch JXTK voice chunk not understood: dropped', frame);
    const r = addVoiceChunk(conn.state, fields[1], k, n, f.body.subarray(at), conn.now);
    if (r.error) reportError(out, conn, r.error.includes('larger') ? 'oversize' : 'malformed', `watch ${r.error}`);
    if (r.done) out.messages.push(media(conn, 'audio', 'amr', r.audio, r.name));
  },
  img: (f, conn, out, frame) => {
    // img,<field>,<12-character time>,<JPEG bytes>
    const comma = f.body.indexOf(0x2c);
    const at = comma + 14;
    if (comma < 0 || at > f.body.length || f.body[at - 1] !== 0x2c || !f.clean)
      return reportError(out, conn, 'malformed', 'watch img not understood: dropped', frame);
    out.messages.push(media(conn, 'image', 'jpeg', Buffer.from(f.body.subarray(at))));
  },
  CCID: (f, conn, out) => {
    const m = newMessage(conn, 'status');
    m.attributes.iccid = text(f).trim();
    out.messages.push(m);
  },
};

/** Health readings by lower-case type: which value goes to which attribute. */
type HealthKey = 'heartRate' | 'pressureHigh' | 'pressureLow' | 'bloodOxygen' | 'temp1';
interface Reading {
  set: ReadonlyArray<readonly [HealthKey, number]>;
  /** Only when the value at this index is above 0 (btemp2's "measured" flag). */
  flag?: number;
}
const PRESSURE: Reading = {
  set: [
    ['pressureHigh', 0],
    ['pressureLow', 1],
    ['heartRate', 2],
  ],
};
const HEALTH: Readonly<Record<string, Reading>> = {
  pulse: { set: [['heartRate', 0]] },
  heart: { set: [['heartRate', 0]] },
  blood: PRESSURE,
  bphrt: PRESSURE,
  temp: { set: [['temp1', 0]] },
  btemp2: { set: [['temp1', 1]], flag: 0 },
  oxygen: { set: [['bloodOxygen', 1]] },
};

function media(
  conn: Connection<WatchState>,
  mediaType: 'audio' | 'image',
  mediaFormat: string,
  data: Buffer,
  name?: string,
): TrackerMessage {
  const m = newMessage(conn, 'media');
  m.attributes.media = data;
  m.attributes.mediaType = mediaType;
  m.attributes.mediaFormat = mediaFormat;
  if (name) m.attributes.mediaName = name;
  return m;
}

/** TK / TK2: a whole voice message in one frame; a single byte is the watch acknowledging one we sent. */
function readVoiceMessage(f: WatchFrame, conn: Connection<WatchState>, out: DecodeOutput, frame: Buffer): void {
  if (f.body.length <= 1) {
    out.answers.push({ reference: 'type:TK', status: 'result', result: text(f), final: true });
    return;
  }
  if (f.clean) out.messages.push(media(conn, 'audio', 'amr', Buffer.from(f.body)));
  else reportError(out, conn, 'malformed', 'watch TK voice with a broken escape: dropped', frame);
}

export function decodeWatchFrame(frame: Buffer, conn: Connection<WatchState>, out: DecodeOutput): void {
  const head = WATCH_HEADER.exec(frame.toString('latin1', 0, Math.min(frame.length, 48)));
  if (!head || frame[frame.length - 1] !== 0x5d) {
    reportError(out, conn, 'malformed', 'watch frame without a [MF*ID*LEN* header', frame);
    return;
  }
  const { data, clean } = unescapeContent(frame.subarray(head[0].length, frame.length - 1));
  const comma = data.indexOf(0x2c);
  const f: WatchFrame = {
    maker: head[1],
    id: head[2],
    index: head[3],
    type: data.toString('latin1', 0, comma < 0 ? Math.min(data.length, 32) : Math.min(comma, 32)),
    body: comma < 0 ? data.subarray(data.length) : data.subarray(comma + 1),
    clean,
  };
  conn.deviceId = f.id;
  conn.state.manufacturer = f.maker;
  if (f.index !== undefined) conn.state.hasIndex = true;

  const reader = BY_TYPE[f.type] ?? (/^(?:UD|AL|WT)/.test(f.type) ? readReport : undefined);
  if (reader) {
    reader(f, conn, out, frame);
    return;
  }
  const health = HEALTH[f.type.toLowerCase()];
  if (health) {
    const v = values(f);
    if (!v.length || (health.flag !== undefined && !((decimal(v[health.flag]) ?? 0) > 0))) return;
    const m = newMessage(conn, 'status');
    for (const [key, at] of health.set) m.attributes[key] = decimal(v[at]);
    pruneAttributes(m.attributes);
    out.messages.push(m);
    return;
  }
  // Anything else is what the watch says back to a command (`SOS1`, `UPLOAD,...`): matched by type.
  const result = text(f);
  const m = newMessage(conn, 'result');
  m.attributes.result = result ? `${f.type},${result}` : f.type;
  out.messages.push(m);
  out.answers.push({
    reference: `type:${f.type.toUpperCase()}`,
    status: 'result',
    result: m.attributes.result,
    final: true,
  });
}

/** A signed decimal coordinate; `S`/`W` make it negative, `N`/`E`/nothing keep the number's own sign. */
function coordinate(value: string, hemisphere: string): number | undefined {
  const v = decimal(value);
  if (v === undefined) return undefined;
  return hemisphere === 'S' || hemisphere === 'W' ? -Math.abs(v) : v;
}

/**
 * UD*, AL*, WT: date, time, fix, latitude + N/S, longitude + E/W, speed km/h, course, altitude, satellites,
 * signal, battery %, steps, rolls, terminal status (hex), then cells and Wi-Fi access points.
 */
function readReport(f: WatchFrame, conn: Connection<WatchState>, out: DecodeOutput, frame: Buffer): void {
  const alarm = f.type.startsWith('AL');
  // answered even when the rest cannot be read: the watch repeats an unanswered alarm
  if (alarm) out.replies.push(reply(f, 'AL'));
  const v = values(f);
  const status = /^[0-9A-Fa-f]{1,8}$/.test(v[15] ?? '') ? parseInt(v[15], 16) : undefined;
  const lat = coordinate(v[3] ?? '', v[4]);
  const lon = coordinate(v[5] ?? '', v[6]);
  const ms = digitsTime(v[0], v[1], 'dmy', conn.options.timezoneOffset ?? 0);
  if (v.length < 16 || status === undefined || lat === undefined || lon === undefined || !/^[AV]$/.test(v[2])) {
    reportError(out, conn, 'malformed', `watch ${f.type} report not understood`, frame);
    return;
  }
  const m = newMessage(conn, 'position');
  m.valid = v[2] === 'A';
  if (Number.isFinite(ms)) {
    setDeviceTime(m, ms, conn.now);
    if (m.valid) checkDeviceClock(conn, ms, out, 'watch');
  } else {
    m.valid = false;
    reportError(
      out,
      conn,
      'malformed',
      `watch ${f.type}: no date, or one that does not exist: the receive time is used`,
      frame,
    );
  }
  m.lat = lat;
  m.lon = lon;
  if (((v[4] === '' && lat !== 0) || (v[6] === '' && lon !== 0)) && !conn.state.hemisphereReported) {
    conn.state.hemisphereReported = true;
    reportError(
      out,
      conn,
      'suspect',
      `watch ${f.type} without a hemisphere letter: the coordinate's own sign is kept (this watch may report west or south as positive)`,
      frame,
    );
  }
  m.speed = decimal(v[7]) ?? 0; // km/h
  m.course = decimal(v[8]) ?? 0;
  m.altitude = decimal(v[9]) ?? 0;
  m.satellites = decimal(v[10]) ?? 0;
  const a = m.attributes;
  a.rssi = decimal(v[11]);
  a.batteryLevel = decimal(v[12]);
  a.steps = decimal(v[13]);
  m.status = status;
  alarmsOf(status, WATCH_ALARMS, m.alarms);
  if (alarm && !m.alarms.length) addAlarm(m, 'general');
  if (status & MOTION_BIT) a.motion = true;
  readNetwork(m, v, 16);
  pruneAttributes(m.attributes);
  out.messages.push(m);
}

/** LAC and CID are decimal, or hex when they hold a letter A-F. */
function cellNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (/^\d{1,10}$/.test(s)) return Number(s);
  return /^[0-9A-Fa-f]{1,8}$/.test(s) ? parseInt(s, 16) : undefined;
}

const MAC = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;

/**
 * `cells,TA[,MCC,MNC,(LAC,CID,signal) x cells],wifis,(SSID,MAC,signal) x wifis[,accuracy?]`. Cells whose MCC
 * or MNC is not decimal (`FFFF`: unknown) are skipped; access points without a MAC or a signal too.
 */
function readNetwork(m: TrackerMessage, v: string[], start: number): void {
  let i = start;
  const cells = decimal(v[i++]);
  if (cells === undefined || cells < 0 || cells > 64) return;
  i++; // timing advance
  if (cells > 0) {
    const mcc = /^\d{1,4}$/.test(v[i] ?? '') ? Number(v[i]) : undefined;
    const mnc = /^\d{1,4}$/.test(v[i + 1] ?? '') ? Number(v[i + 1]) : undefined;
    i += 2;
    for (let k = 0; k < cells && i + 2 < v.length + 1; k++, i += 3) {
      const lac = cellNumber(v[i]);
      const cid = cellNumber(v[i + 1]);
      if (mcc === undefined || mnc === undefined || lac === undefined || cid === undefined) continue;
      const tower: CellTower = { mcc, mnc, lac, cid };
      const rssi = decimal(v[i + 2]);
      if (rssi !== undefined) tower.rssi = rssi;
      addCell(m, tower);
    }
  }
  const wifis = decimal(v[i++]);
  if (wifis !== undefined && wifis > 0 && wifis <= 64)
    for (let k = 0; k < wifis && i + 2 < v.length + 1; k++, i += 3) {
      const mac = v[i + 1] ?? '';
      const rssi = decimal(v[i + 2]);
      if (MAC.test(mac) && rssi !== undefined) addWifi(m, { mac: mac.toLowerCase(), rssi });
    }
}

/** Drops a voice message left unfinished (called by the session's poll). */
export function pollWatch(conn: Connection<WatchState>, out: DecodeOutput): void {
  const why = expireVoice(conn.state, conn.now);
  if (why) reportError(out, conn, 'malformed', `watch ${why}`);
}
