/**
 * Watch commands (docs/protocols/watch.md): `[MF*ID*[0001*]LEN*CONTENT]` on the watch's connection. MF is the
 * maker prefix of the watch's last frame (`3G` goes out as `SG`, `CS` when none came yet); a watch that numbers
 * its frames gets index 0001; LEN counts the content after escaping, 4 lowercase hex digits. The watch answers
 * with a frame of the command's type (`SOS1`, `UPLOAD`...), which is how an answer finds its command.
 */
import type { Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandParam, type CommandSpec, type ValidCommand } from '../common/commands';
import { hexWord } from '../common/hex';
import type { WatchState } from './decoder';
import { escapeContent } from './frame';

const enable: CommandParam = { name: 'enable', type: 'boolean', label: 'on' };
const text = (name: string, label: string, max = 500): CommandParam => ({
  name,
  type: 'text',
  label,
  max,
  aliases: ['data'],
});

export const WATCH_COMMANDS: readonly CommandSpec[] = [
  { type: 'positionSingle', params: [], answer: 'result', wire: 'CR (GPS on, reports every 10 s for 3 min)' },
  {
    type: 'positionPeriodic',
    params: [PARAMS.interval(10, 86400)],
    answer: 'result',
    wire: 'UPLOAD,<interval>',
  },
  {
    type: 'sosNumber',
    params: [
      { name: 'index', type: 'integer', label: 'SOS number', min: 1, max: 3, default: 1 },
      { name: 'phone', type: 'text', label: 'phone number', max: 20 },
    ],
    answer: 'result',
    wire: 'SOS<index>,<phone>',
  },
  { type: 'alarmSos', params: [enable], answer: 'result', wire: 'SOSSMS,<1|0>' },
  { type: 'alarmBattery', params: [enable], answer: 'result', wire: 'LOWBAT,<1|0>' },
  { type: 'alarmRemove', params: [enable], answer: 'result', wire: 'REMOVE,<1|0>' },
  { type: 'reboot', params: [], answer: 'result', wire: 'RESET' },
  { type: 'powerOff', params: [], answer: 'result', wire: 'POWEROFF' },
  {
    type: 'silenceTime',
    params: [text('periods', 'periods, e.g. 08:00-12:00,14:00-16:30')],
    answer: 'result',
    wire: 'SILENCETIME,<periods>',
  },
  {
    type: 'alarmClock',
    params: [text('alarms', 'alarm clocks as the watch takes them, e.g. 08:10-1-1,...')],
    answer: 'result',
    wire: 'REMIND,<alarms>',
  },
  {
    type: 'setPhonebook',
    params: [text('entries', 'number,name pairs (names as UTF-16BE hex), e.g. 5551234,00410062')],
    answer: 'result',
    wire: 'PHB,<entries>',
  },
  {
    type: 'sendText',
    params: [{ name: 'text', type: 'text', label: 'message', max: 120, aliases: ['message'] }],
    answer: 'result',
    wire: 'MESSAGE,<text as UTF-16BE hex>',
  },
  {
    type: 'voiceMessage',
    params: [{ name: 'audio', type: 'hex', label: 'AMR audio (hex)', max: 16000, aliases: ['data'] }],
    answer: 'result',
    wire: 'TK,<AMR bytes, escaped>',
  },
  {
    type: 'setTimezone',
    params: [
      PARAMS.utcOffset(true),
      { name: 'timezone', type: 'text', label: 'or a zone: Europe/Berlin, GMT+5:45', max: 40, optional: true },
      { name: 'language', type: 'integer', label: 'display language code', min: 0, max: 99, optional: true },
    ],
    answer: 'result',
    wire: 'LZ,<language>,<hours>',
  },
  {
    type: 'setIndicator',
    params: [{ name: 'flowers', type: 'integer', label: 'reward flowers', min: 0, max: 99, aliases: ['data'] }],
    answer: 'result',
    wire: 'FLOWER,<flowers>',
  },
  {
    type: 'custom',
    params: [PARAMS.text(500, 'command content, e.g. FIND')],
    answer: 'result',
    wire: 'the text as it is',
  },
];

/** Hours east of UTC with up to two decimals and a sign: `+1`, `-11.5`, `+5.75`. */
function hours(minutes: number): string {
  return `${minutes < 0 ? '-' : '+'}${Math.round((Math.abs(minutes) / 60) * 100) / 100}`;
}

/** Minutes east of UTC of `offset`, or of `timezone` (an IANA zone: its standard offset, without DST). */
export function zoneOffset(command: ValidCommand): number {
  if (typeof command.offset === 'number') return command.offset;
  const zone = String(command.timezone ?? '').trim();
  const fixed = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    if (minutes <= 14 * 60) return fixed[1] === '-' ? -minutes : minutes;
  } else if (/^(?:GMT|UTC)$/i.test(zone)) return 0;
  else if (zone) {
    // the smaller of January's and July's offsets is the standard one, in either hemisphere
    const year = new Date().getUTCFullYear();
    try {
      return Math.min(offsetAt(zone, Date.UTC(year, 0, 1)), offsetAt(zone, Date.UTC(year, 6, 1)));
    } catch {
      /* not a zone: the error below */
    }
  }
  throw new Error(
    'watch setTimezone needs "offset" (minutes east of UTC) or "timezone" such as Europe/Berlin or GMT+5:30',
  );
}

function offsetAt(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
  if (!m) throw new Error(`no offset for ${zone}`);
  const minutes = m[1] ? Number(m[2]) * 60 + Number(m[3]) : 0;
  return m[1] === '-' ? -minutes : minutes;
}

/** UTF-16BE code units as lowercase hex (how watches take text in other scripts). */
function utf16Hex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

/** Text content must be printable ASCII without brackets (they delimit frames). */
function ascii(what: string, s: string): string {
  if (!/^[\x20-\x7e]+$/.test(s) || /[[\]]/.test(s))
    throw new Error(`watch ${what} must be printable ASCII without [ ] or line breaks`);
  return s;
}

function content(c: ValidCommand): Buffer {
  const on = (v: unknown) => (v ? 1 : 0);
  const t = (s: string) => Buffer.from(ascii('command text', s), 'latin1');
  switch (c.type) {
    case 'positionSingle':
      return t('CR');
    case 'positionPeriodic':
      return t(`UPLOAD,${c.interval}`);
    case 'sosNumber':
      return t(`SOS${c.index},${ascii('phone number', c.phone as string)}`);
    case 'alarmSos':
      return t(`SOSSMS,${on(c.enable)}`);
    case 'alarmBattery':
      return t(`LOWBAT,${on(c.enable)}`);
    case 'alarmRemove':
      return t(`REMOVE,${on(c.enable)}`);
    case 'reboot':
      return t('RESET');
    case 'powerOff':
      return t('POWEROFF');
    case 'silenceTime':
      return t(`SILENCETIME,${c.periods}`);
    case 'alarmClock':
      return t(`REMIND,${c.alarms}`);
    case 'setPhonebook':
      return t(`PHB,${c.entries}`);
    case 'sendText':
      return t(`MESSAGE,${utf16Hex(c.text as string)}`);
    case 'voiceMessage': {
      // binary content is escaped; text commands go as they are
      const audio = Buffer.from((c.audio as string).replace(/[\s:]/g, ''), 'hex');
      return Buffer.concat([Buffer.from('TK,'), escapeContent(audio)]);
    }
    case 'setTimezone':
      return t(`LZ,${c.language ?? ''},${hours(zoneOffset(c))}`);
    case 'setIndicator':
      return t(`FLOWER,${c.flowers}`);
    case 'custom':
      return t(c.text as string);
    default:
      throw new Error(`watch does not support the command "${c.type}"`);
  }
}

export function encodeWatchCommand(command: ValidCommand, conn: Connection<WatchState>): EncodedFrames {
  const id = conn.deviceId;
  if (!id) throw new Error('watch command: the device ID is not known yet');
  const body = content(command);
  const maker = conn.state.manufacturer === '3G' ? 'SG' : (conn.state.manufacturer ?? 'CS');
  const index = conn.state.hasIndex ? '0001*' : '';
  const header = Buffer.from(`[${maker}*${id}*${index}${hexWord(body.length)}*`, 'latin1');
  const comma = body.indexOf(0x2c);
  const type = body.toString('latin1', 0, Math.min(comma < 0 ? body.length : comma, 32));
  return {
    frames: [Buffer.concat([header, body, Buffer.from(']')])],
    reference: `type:${type.toUpperCase()}`,
  };
}
