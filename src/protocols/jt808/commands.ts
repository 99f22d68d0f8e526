/**
 * JT/T 808 downlink commands (protocol notes §9): standard layouts (0x8103, 0x8104/0x8106, 0x8105, 0x8201,
 * 0x8202, 0x8300, 0x8500, 0x8801, 0x8900) and the vendor forms Traccar uses where models need them.
 * Each command gets the session's next serial, which the terminal's 0x0001 answer names.
 */
import type { CommandAnswer, CommandRequest, Connection, EncodedCommand } from '../codec';
import { gbkEncode } from '../common/text';
import type { TrackerMessage } from '../../types';
import { buildMessage, encodeTerminalId } from './message';
import { nextSerial, type Jt808State } from './state';

/** Parameter IDs (JT/T 808-2013 table 12) that are not DWORDs, by their type. */
const WORD_PARAMS = new Set([0x0031, 0x005b, 0x005c, 0x005d, 0x005e, 0x0081, 0x0082, 0x0101, 0x0103]);
const BYTE_PARAMS = new Set([0x0084, 0x0090, 0x0091, 0x0092, 0x0094]);
const STRING_PARAMS = new Set([
  0x0010, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017, 0x001a, 0x001d, 0x0040, 0x0041, 0x0042, 0x0043,
  0x0044, 0x0048, 0x0049, 0x0083,
]);

/** Answer message each query command is followed by (after the 0x0001 acknowledgement). */
const ANSWERS: Record<number, number> = {
  0x8104: 0x0104,
  0x8106: 0x0104,
  0x8107: 0x0107,
  0x8201: 0x0201,
  0x8801: 0x0805,
};

function int(command: CommandRequest, names: string[], min: number, max: number, fallback?: number): number {
  for (const name of names) {
    const raw = command[name];
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`${command.type}: "${name}" must be a whole number from ${min} to ${max}`);
    return v;
  }
  if (fallback !== undefined) return fallback;
  throw new Error(`${command.type} needs "${names[0]}" (a whole number from ${min} to ${max})`);
}

function str(command: CommandRequest, names: string[]): string {
  for (const name of names)
    if (typeof command[name] === 'string' && command[name] !== '') return command[name] as string;
  throw new Error(`${command.type} needs "${names[0]}" (text)`);
}

function hexBytes(value: string, what: string): Buffer {
  const clean = value.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`${what} must be hex bytes`);
  return Buffer.from(clean, 'hex');
}

/** One 0x8103 item: DWORD id, BYTE length, value typed by the ID (or by an explicit {type, value}). */
function parameterItem(id: number, raw: unknown): Buffer {
  let type: string;
  let value = raw;
  if (raw && typeof raw === 'object' && 'value' in (raw as object)) {
    type = String((raw as { type?: string }).type ?? 'dword');
    value = (raw as { value: unknown }).value;
  } else if (typeof raw === 'string') type = STRING_PARAMS.has(id) || !/^\d+$/.test(raw) ? 'string' : 'dword';
  else type = BYTE_PARAMS.has(id) ? 'byte' : WORD_PARAMS.has(id) ? 'word' : 'dword';
  let data: Buffer;
  switch (type) {
    case 'byte':
    case 'word':
    case 'dword': {
      const n = Number(value);
      const size = type === 'byte' ? 1 : type === 'word' ? 2 : 4;
      if (!Number.isInteger(n) || n < 0 || n >= 2 ** (8 * size))
        throw new Error(`parameter 0x${id.toString(16)}: ${String(value)} is not a ${type}`);
      data = Buffer.alloc(size);
      data.writeUIntBE(n, 0, size);
      break;
    }
    case 'string':
      data = gbkEncode(String(value));
      break;
    case 'hex':
      data = hexBytes(String(value), `parameter 0x${id.toString(16)}`);
      break;
    default:
      throw new Error(`parameter 0x${id.toString(16)}: unknown type "${type}"`);
  }
  if (data.length > 255) throw new Error(`parameter 0x${id.toString(16)} longer than 255 bytes`);
  const item = Buffer.alloc(5 + data.length);
  item.writeUInt32BE(id, 0);
  item[4] = data.length;
  data.copy(item, 5);
  return item;
}

function parameterId(key: string | number): number {
  const id = typeof key === 'number' ? key : /^0x/i.test(key) ? parseInt(key, 16) : Number(key);
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new Error(`"${key}" is not a parameter ID`);
  return id;
}

function setParameters(params: Record<string, unknown>): Buffer {
  const entries = Object.entries(params);
  if (!entries.length || entries.length > 255) throw new Error('setParameters needs 1 to 255 parameters');
  return Buffer.concat([Buffer.from([entries.length]), ...entries.map(([k, v]) => parameterItem(parameterId(k), v))]);
}

/** BCD yyMMddHHmmss of the server clock in UTC (for 0xA006). */
function bcdNow(ms: number): Buffer {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return Buffer.from(
    `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`,
    'hex',
  );
}

/** The message ID and body of a command, or raw bytes (custom hex). */
function commandBody(
  command: CommandRequest,
  conn: Connection<Jt808State>,
  model: string,
): { id: number; body: Buffer } | Buffer {
  const v2019 = conn.state.version !== undefined;
  switch (command.type) {
    case 'engineStop':
    case 'engineResume': {
      const stop = command.type === 'engineStop';
      if (command.alternative === true)
        return { id: 0xa006, body: Buffer.concat([Buffer.from([stop ? 1 : 0]), bcdNow(conn.now)]) };
      if (model === 'VL300') return { id: 0x8105, body: Buffer.from(stop ? '#0;1' : '#0;0', 'ascii') };
      if (model === 'W15L') return { id: 0x8105, body: Buffer.from([stop ? 0x64 : 0x65]) };
      return { id: 0x8105, body: Buffer.from([stop ? 0xf0 : 0xf1]) };
    }
    case 'reboot':
    case 'rebootDevice':
      return { id: 0x8105, body: Buffer.from([4]) }; // terminal control: reset
    case 'terminalControl': {
      const code = int(command, ['code'], 1, 255);
      const params = typeof command.params === 'string' ? gbkEncode(command.params) : Buffer.alloc(0);
      return { id: 0x8105, body: Buffer.concat([Buffer.from([code]), params]) };
    }
    case 'positionPeriodic':
      return { id: 0x8103, body: setParameters({ '0x0029': int(command, ['interval', 'frequency'], 1, 86400) }) };
    case 'positionSingle':
      return { id: 0x8201, body: Buffer.alloc(0) };
    case 'tracking': {
      const body = Buffer.alloc(6);
      body.writeUInt16BE(int(command, ['interval'], 0, 65535), 0);
      body.writeUInt32BE(int(command, ['duration', 'validity'], 0, 0xffffffff, 3600), 2);
      return { id: 0x8202, body };
    }
    case 'setParameters': {
      const params = command.parameters;
      if (!params || typeof params !== 'object') throw new Error('setParameters needs "parameters": {id: value}');
      return { id: 0x8103, body: setParameters(params as Record<string, unknown>) };
    }
    case 'queryParameters': {
      const ids = Array.isArray(command.ids) ? (command.ids as (string | number)[]).map(parameterId) : [];
      if (!ids.length) return { id: 0x8104, body: Buffer.alloc(0) };
      const body = Buffer.alloc(1 + 4 * ids.length);
      body[0] = ids.length;
      for (let i = 0; i < ids.length; i++) body.writeUInt32BE(ids[i], 1 + 4 * i);
      return { id: 0x8106, body };
    }
    case 'queryAttributes':
      return { id: 0x8107, body: Buffer.alloc(0) };
    case 'sendText':
    case 'message': {
      const text = gbkEncode(str(command, ['text', 'message']));
      const flags = int(command, ['flags'], 0, 255, 0x0c); // display + text-to-speech
      return {
        id: 0x8300,
        body: Buffer.concat([Buffer.from(v2019 ? [flags, int(command, ['textType'], 1, 2, 1)] : [flags]), text]),
      };
    }
    case 'vehicleControl':
    case 'outputControl': {
      const on = int(command, ['data', 'value'], 0, 1);
      if (v2019) return { id: 0x8500, body: Buffer.from([0, 1, 0, 1, on]) }; // one item: type 0x0001 (door), parameter
      return { id: 0x8500, body: Buffer.from([on]) };
    }
    case 'takePhoto': {
      const body = Buffer.alloc(12);
      body[0] = int(command, ['channel', 'index'], 1, 255, 1);
      body.writeUInt16BE(int(command, ['count'], 0, 0xffff, 1), 1);
      body.writeUInt16BE(int(command, ['interval'], 0, 0xffff, 0), 3);
      body[5] = int(command, ['save'], 0, 1, 0);
      body[6] = int(command, ['resolution'], 1, 8, 1);
      body[7] = int(command, ['quality'], 1, 10, 5);
      body[8] = int(command, ['brightness'], 0, 255, 128);
      body[9] = int(command, ['contrast'], 0, 127, 64);
      body[10] = int(command, ['saturation'], 0, 127, 64);
      body[11] = int(command, ['hue'], 0, 255, 128);
      return { id: 0x8801, body };
    }
    case 'transparent': {
      const type = int(command, ['transparentType'], 0, 255, 0xf0);
      const data =
        typeof command.data === 'string' ? hexBytes(command.data, 'data') : gbkEncode(str(command, ['text']));
      return { id: 0x8900, body: Buffer.concat([Buffer.from([type]), data]) };
    }
    case 'alarmArm':
    case 'alarmDisarm':
      // vendor 0x0310 parameter 0x24 (as Traccar): arm flag + user name
      return {
        id: 0x0310,
        body: Buffer.from([1, 0x24, 5, command.type === 'alarmArm' ? 1 : 0, ...Buffer.from('user')]),
      };
    case 'videoStop':
      return { id: 0x9102, body: Buffer.from([int(command, ['index', 'channel'], 0, 255, 1), 0, 0, 0]) };
    case 'custom': {
      const text =
        typeof command.data === 'string' ? command.data : typeof command.text === 'string' ? command.text : '';
      if (!text) throw new Error('custom needs "data" (hex) or "text"');
      if (model === 'AL300' || model === 'GL100' || model === 'VL300') {
        const at = Buffer.from(text, 'ascii');
        return { id: 0x8103, body: Buffer.concat([Buffer.from([1, 0, 0, 0xf0, 0x30, at.length]), at]) }; // AT command
      }
      if (model === 'BSJ' || model === 'C5' || model === 'C5L')
        return { id: 0x8300, body: Buffer.concat([Buffer.from([1]), gbkEncode(text)]) };
      if (model.startsWith('JC'))
        return { id: 0x8900, body: Buffer.concat([Buffer.from([0xf0]), Buffer.from(text, 'ascii')]) };
      // no model: hex is sent as it is (a whole frame prepared elsewhere); text becomes a text message
      if (typeof command.data === 'string' && /^([0-9a-fA-F]{2}|\s)+$/.test(command.data))
        return hexBytes(command.data, 'data');
      return { id: 0x8300, body: Buffer.concat([Buffer.from(v2019 ? [0x0c, 1] : [0x0c]), gbkEncode(text)]) };
    }
    default:
      throw new Error(`JT/T 808 does not support the command "${command.type}"`);
  }
}

export function encodeJt808Command(command: CommandRequest, conn: Connection<Jt808State>): EncodedCommand {
  const state = conn.state;
  const model = String(conn.options.model ?? command.model ?? '').toUpperCase();
  const built = commandBody(command, conn, model);
  if (Buffer.isBuffer(built)) return { frames: [built], expectsAnswer: true };
  const deviceId = conn.deviceId ?? (typeof command.deviceId === 'string' ? command.deviceId : undefined);
  const idBytes = state.idBytes ?? (deviceId ? encodeTerminalId(deviceId, state.version) : undefined);
  if (!idBytes) throw new Error('JT/T 808 command: the terminal ID is not known yet');
  const serial = nextSerial(state);
  const frame = buildMessage(built.id, built.body, idBytes, state.version, serial, { delimiter: state.delimiter });
  if (ANSWERS[built.id]) {
    state.queries.set(serial, ANSWERS[built.id]);
    if (state.queries.size > 64) state.queries.delete(state.queries.keys().next().value!);
  }
  return { frames: [frame], reference: `serial:${serial}`, expectsAnswer: true };
}

/** Which command a decoded record answers: 0x0001 by serial, then the data answers of queries. */
export function jt808CommandAnswer(m: TrackerMessage, conn: Connection<Jt808State>): CommandAnswer | undefined {
  const a = m.attributes;
  const serial = typeof a.answerSerial === 'number' ? a.answerSerial : undefined;
  if (serial !== undefined && typeof a.answerMessageId === 'number') {
    const result = a.result as number;
    const query = conn.state.queries.has(serial);
    if (result !== 0) conn.state.queries.delete(serial);
    return {
      reference: `serial:${serial}`,
      status: result === 0 ? 'delivered' : 'failed',
      result: a.resultText,
      final: result !== 0 || !query,
    };
  }
  if (serial !== undefined) {
    conn.state.queries.delete(serial);
    let result: unknown = a.parameters ?? a.result ?? a.mediaIds;
    if (m.type === 'position')
      result = { time: m.time, lat: m.lat, lon: m.lon, valid: m.valid, speed: m.speed, course: m.course };
    return { reference: `serial:${serial}`, status: 'result', result, final: true };
  }
  if (m.type === 'result' && typeof a.result === 'string') return { status: 'result', result: a.result, final: true };
  return undefined;
}
