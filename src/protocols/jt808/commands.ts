/**
 * JT/T 808 downlink commands (docs/protocols/jt808.md): standard layouts (0x8103, 0x8104/0x8106, 0x8105, 0x8201,
 * 0x8202, 0x8300, 0x8500, 0x8801, 0x8900) and the vendor forms Traccar uses where models need them.
 * Each command gets the session's next serial, which the terminal's 0x0001 answer names.
 */
import { toBcdByte } from '../common/bcd';
import { utcDateFields } from '../common/time';
import type { CommandAnswer, Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandParam, type CommandSpec, type ValidCommand } from '../common/commands';
import { gbkEncode } from '../common/text';
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
  0x8500: 0x0500,
  0x8801: 0x0805,
};

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
  return Buffer.from(utcDateFields(ms).map(toBcdByte));
}

const alternative: CommandParam = {
  name: 'alternative',
  type: 'boolean',
  label: 'use the vendor 0xA006 form',
  optional: true,
};
const channel = (name: string, fallback: number, aliases: string[]): CommandParam => ({
  name,
  type: 'integer',
  label: 'channel',
  min: 0,
  max: 255,
  default: fallback,
  aliases,
});
const byte = (name: string, label: string, min: number, max: number, fallback: number): CommandParam => ({
  name,
  type: 'integer',
  label,
  min,
  max,
  default: fallback,
});

export const JT808_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [alternative], answer: 'delivered', wire: '0x8105 F0 (or the model’s form)' },
  { type: 'engineResume', params: [alternative], answer: 'delivered', wire: '0x8105 F1 (or the model’s form)' },
  { type: 'reboot', params: [], answer: 'delivered', wire: '0x8105 04 (reset)' },
  {
    type: 'terminalControl',
    params: [
      { name: 'code', type: 'integer', label: 'command word', min: 1, max: 255 },
      { name: 'params', type: 'text', label: 'parameters', optional: true },
    ],
    answer: 'delivered',
    wire: '0x8105 <code> <params>',
  },
  {
    type: 'positionPeriodic',
    params: [PARAMS.interval(1, 86400)],
    answer: 'delivered',
    wire: '0x8103 parameter 0x0029',
  },
  { type: 'positionSingle', params: [], answer: 'result', wire: '0x8201 (answered by 0x0201)' },
  {
    type: 'tracking',
    params: [
      { name: 'interval', type: 'integer', label: 'interval', unit: 's', min: 0, max: 65535 },
      {
        name: 'duration',
        type: 'integer',
        label: 'for how long',
        unit: 's',
        min: 0,
        max: 0xffffffff,
        default: 3600,
        aliases: ['validity'],
      },
    ],
    answer: 'delivered',
    wire: '0x8202',
  },
  {
    type: 'setParameters',
    params: [{ name: 'parameters', type: 'object', label: 'parameters by ID, e.g. {"0x0029": 30}' }],
    answer: 'delivered',
    wire: '0x8103',
  },
  {
    type: 'queryParameters',
    params: [{ name: 'ids', type: 'list', label: 'parameter IDs (none: all)', optional: true }],
    answer: 'result',
    wire: '0x8104 / 0x8106 (answered by 0x0104)',
  },
  { type: 'queryAttributes', params: [], answer: 'result', wire: '0x8107 (answered by 0x0107)' },
  {
    type: 'sendText',
    params: [
      { name: 'text', type: 'text', label: 'text', max: 1000, aliases: ['message'] },
      byte('flags', 'display flags (0x0c: show and speak)', 0, 255, 0x0c),
      byte('textType', 'text type (2019: 1 notice, 2 service)', 1, 2, 1),
    ],
    answer: 'delivered',
    wire: '0x8300',
  },
  {
    type: 'outputControl',
    params: [PARAMS.outputState],
    answer: 'result',
    wire: '0x8500 (answered by 0x0500)',
  },
  {
    type: 'takePhoto',
    params: [
      channel('channel', 1, ['index']),
      byte('count', 'photos (0: stop)', 0, 0xffff, 1),
      byte('interval', 'interval between photos (s)', 0, 0xffff, 0),
      byte('save', 'save instead of upload (1)', 0, 1, 0),
      byte('resolution', 'resolution code', 1, 8, 1),
      byte('quality', 'quality (1 best ... 10)', 1, 10, 5),
      byte('brightness', 'brightness', 0, 255, 128),
      byte('contrast', 'contrast', 0, 127, 64),
      byte('saturation', 'saturation', 0, 127, 64),
      byte('hue', 'hue', 0, 255, 128),
    ],
    answer: 'result',
    wire: '0x8801 (answered by 0x0805)',
  },
  {
    type: 'transparent',
    params: [
      byte('transparentType', 'data type', 0, 255, 0xf0),
      { name: 'data', type: 'hex', label: 'data (hex)', optional: true },
      { name: 'text', type: 'text', label: 'data (text)', optional: true },
    ],
    answer: 'delivered',
    wire: '0x8900',
  },
  { type: 'alarmArm', params: [], answer: 'delivered', wire: 'vendor 0x0310 parameter 0x24' },
  { type: 'alarmDisarm', params: [], answer: 'delivered', wire: 'vendor 0x0310 parameter 0x24' },
  { type: 'videoStop', params: [channel('index', 1, ['channel'])], answer: 'delivered', wire: '0x9102' },
  {
    type: 'custom',
    params: [
      { name: 'data', type: 'text', label: 'hex frame, or text', optional: true },
      { name: 'text', type: 'text', label: 'text', optional: true },
    ],
    answer: 'delivered',
    wire: 'hex as it is; text as 0x8300 (or the model’s form)',
  },
];

/** The message ID and body of a command, or raw bytes (custom hex). */
function commandBody(
  command: ValidCommand,
  conn: Connection<Jt808State>,
  model: string,
): { id: number; body: Buffer } | Buffer {
  const v2019 = conn.state.version !== undefined;
  const n = (name: string) => command[name] as number;
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
      return { id: 0x8105, body: Buffer.from([4]) }; // terminal control: reset
    case 'terminalControl': {
      const params = typeof command.params === 'string' ? gbkEncode(command.params) : Buffer.alloc(0);
      return { id: 0x8105, body: Buffer.concat([Buffer.from([n('code')]), params]) };
    }
    case 'positionPeriodic':
      return { id: 0x8103, body: setParameters({ '0x0029': n('interval') }) };
    case 'positionSingle':
      return { id: 0x8201, body: Buffer.alloc(0) };
    case 'tracking': {
      const body = Buffer.alloc(6);
      body.writeUInt16BE(n('interval'), 0);
      body.writeUInt32BE(n('duration'), 2);
      return { id: 0x8202, body };
    }
    case 'setParameters':
      return { id: 0x8103, body: setParameters(command.parameters as Record<string, unknown>) };
    case 'queryParameters': {
      const ids = ((command.ids as (string | number)[] | undefined) ?? []).map(parameterId);
      if (!ids.length) return { id: 0x8104, body: Buffer.alloc(0) };
      if (ids.length > 255) throw new Error('queryParameters takes at most 255 IDs');
      const body = Buffer.alloc(1 + 4 * ids.length);
      body[0] = ids.length;
      for (let i = 0; i < ids.length; i++) body.writeUInt32BE(ids[i], 1 + 4 * i);
      return { id: 0x8106, body };
    }
    case 'queryAttributes':
      return { id: 0x8107, body: Buffer.alloc(0) };
    case 'sendText': {
      const text = gbkEncode(command.text as string);
      const head = v2019 ? [n('flags'), n('textType')] : [n('flags')];
      return { id: 0x8300, body: Buffer.concat([Buffer.from(head), text]) };
    }
    case 'outputControl': {
      const on = n('data');
      if (v2019) return { id: 0x8500, body: Buffer.from([0, 1, 0, 1, on]) }; // one item: type 0x0001 (door), parameter
      return { id: 0x8500, body: Buffer.from([on]) };
    }
    case 'takePhoto': {
      const body = Buffer.alloc(12);
      body[0] = n('channel');
      body.writeUInt16BE(n('count'), 1);
      body.writeUInt16BE(n('interval'), 3);
      body[5] = n('save');
      body[6] = n('resolution');
      body[7] = n('quality');
      body[8] = n('brightness');
      body[9] = n('contrast');
      body[10] = n('saturation');
      body[11] = n('hue');
      return { id: 0x8801, body };
    }
    case 'transparent': {
      if (command.data === undefined && command.text === undefined)
        throw new Error('transparent needs "data" (hex) or "text"');
      const data =
        command.data !== undefined ? hexBytes(command.data as string, 'data') : gbkEncode(command.text as string);
      return { id: 0x8900, body: Buffer.concat([Buffer.from([n('transparentType')]), data]) };
    }
    case 'alarmArm':
    case 'alarmDisarm':
      // vendor 0x0310 parameter 0x24 (as Traccar): arm flag + user name
      return {
        id: 0x0310,
        body: Buffer.from([1, 0x24, 5, command.type === 'alarmArm' ? 1 : 0, ...Buffer.from('user')]),
      };
    case 'videoStop':
      return { id: 0x9102, body: Buffer.from([n('index'), 0, 0, 0]) };
    default: {
      // custom
      const text = (command.data ?? command.text) as string | undefined;
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
  }
}

export function encodeJt808Command(command: ValidCommand, conn: Connection<Jt808State>): EncodedFrames {
  const state = conn.state;
  const model = String(conn.options.model ?? '').toUpperCase();
  const built = commandBody(command, conn, model);
  if (Buffer.isBuffer(built)) return { frames: [built] };
  const idBytes = state.idBytes ?? (conn.deviceId ? encodeTerminalId(conn.deviceId, state.version) : undefined);
  if (!idBytes) throw new Error('JT/T 808 command: the terminal ID is not known yet');
  const serial = nextSerial(state);
  const frame = buildMessage(built.id, built.body, idBytes, state.version, serial, { delimiter: state.delimiter });
  if (ANSWERS[built.id]) {
    state.queries.set(serial, ANSWERS[built.id]);
    if (state.queries.size > 64) state.queries.delete(state.queries.keys().next().value!);
  }
  return { frames: [frame], reference: `serial:${serial}` };
}

/** 0x0001: the terminal took (or refused) the command with this serial; a query's data answer follows. */
export function generalAnswer(
  state: Jt808State,
  serial: number,
  resultCode: number,
  resultText: string,
): CommandAnswer {
  const query = state.queries.has(serial);
  if (resultCode !== 0) state.queries.delete(serial);
  return {
    reference: `serial:${serial}`,
    status: resultCode === 0 ? 'delivered' : 'failed',
    result: resultText,
    final: resultCode !== 0 || !query,
  };
}

/** A data answer (0x0104, 0x0201, 0x0805...) to the command with this serial; undefined serial: the oldest. */
export function dataAnswer(state: Jt808State, serial: number | undefined, result: unknown): CommandAnswer {
  if (serial === undefined) return { status: 'result', result, final: true };
  state.queries.delete(serial);
  return { reference: `serial:${serial}`, status: 'result', result, final: true };
}

/** A data answer that names no serial (0x0107): it answers the oldest query waiting for that message. */
export function queryAnswer(state: Jt808State, answerId: number, result: unknown): CommandAnswer | undefined {
  for (const [serial, expected] of state.queries) if (expected === answerId) return dataAnswer(state, serial, result);
  return undefined;
}
