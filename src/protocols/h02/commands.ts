/**
 * H02 commands (docs/protocols/h02.md, "Commands"): `*HQ,<id>,<code>,<HHmmss>,<parameters>#` in ASCII, no CR/LF.
 * The device answers with a V4 message that echoes the code (`*HQ,<id>,V4,S20,DONE,...`): the code is the
 * reference that matches an answer to its command.
 */
import type { Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandParam, type CommandSpec, type ValidCommand } from '../common/commands';
import { hhmmss, deviceClockOffset, type H02State } from './status';

const alternative: CommandParam = {
  name: 'alternative',
  type: 'boolean',
  label: 'use the D1 form (firmware that ignores S71)',
  optional: true,
  aliases: ['h02.alternative'],
};

export const H02_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [], answer: 'result', wire: 'S20,<time>,1,1' },
  { type: 'engineResume', params: [], answer: 'result', wire: 'S20,<time>,1,0' },
  { type: 'alarmArm', params: [], answer: 'result', wire: 'SCF,<time>,0,0' },
  { type: 'alarmDisarm', params: [], answer: 'result', wire: 'SCF,<time>,1,1' },
  {
    type: 'positionPeriodic',
    params: [PARAMS.interval(1, 65535), alternative],
    answer: 'result',
    wire: 'S71,<time>,22,<interval> (or D1,<time>,<interval>)',
  },
  {
    type: 'custom',
    params: [PARAMS.text(200, 'the whole command, e.g. *HQ,<id>,S20,<time>,1,1# (\\r and \\n are sent as CR and LF)')],
    answer: 'result',
    wire: 'the text as it is',
  },
];

/** Code and parameters of each declared command type but custom. */
const FORMS: Readonly<Record<string, (command: ValidCommand) => [code: string, parameters: string]>> = {
  engineStop: () => ['S20', '1,1'],
  engineResume: () => ['S20', '1,0'],
  alarmArm: () => ['SCF', '0,0'],
  alarmDisarm: () => ['SCF', '1,1'],
  positionPeriodic: (c) => (c.alternative === true ? ['D1', `${c.interval}`] : ['S71', `22,${c.interval}`]),
};

/** Custom text as it is, with the `\r` and `\n` escapes turned into CR and LF; nothing else unprintable. */
function customText(text: string): string {
  const raw = text.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
  if (!/^[\x20-\x7e\r\n]+$/.test(raw)) throw new Error('H02 command text must be printable ASCII');
  return raw;
}

/**
 * The time field is the device clock's time of day when the command is sent: UTC, or the server's device
 * clock setting (`timezoneOffset`).
 */
export function encodeH02Command(command: ValidCommand, conn: Connection<H02State>): EncodedFrames {
  if (command.type === 'custom') {
    const text = customText(command.text as string);
    const code = /^\*[A-Za-z]{2},[^,#]*,([A-Za-z0-9]+)/.exec(text)?.[1];
    return { frames: [Buffer.from(text, 'latin1')], reference: code ? `code:${code.toUpperCase()}` : undefined };
  }
  const id = conn.deviceId;
  if (!id) throw new Error('H02 command: the device ID is not known yet');
  const form = FORMS[command.type];
  if (!form) throw new Error(`H02 does not support the command "${command.type}"`);
  const [code, parameters] = form(command);
  const time = hhmmss(conn.now + deviceClockOffset(conn) * 60000);
  return { frames: [Buffer.from(`*HQ,${id},${code},${time},${parameters}#`, 'latin1')], reference: `code:${code}` };
}
