/**
 * GPS103 commands (docs/protocols/gps103.md, "Commands"): `**,imei:<IMEI>,<code>[,<parameters>]`, ASCII with
 * no terminator. A device answers a command with a report whose keyword is the code in lower case plus `t`
 * (J -> jt): the code is the reference that matches the answer to its command.
 */
import type { Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandSpec, type ValidCommand } from '../common/commands';
import type { Gps103State } from './clock';

/** Command type -> code; the commands whose answer is a keyword report wait for it. */
const CODES: Readonly<Record<string, string>> = {
  positionSingle: 'B',
  positionPeriodic: 'C',
  positionStop: 'D',
  engineStop: 'J',
  engineResume: 'K',
  alarmArm: 'L',
  alarmDisarm: 'M',
  takePhoto: '160',
};

export const GPS103_COMMANDS: readonly CommandSpec[] = [
  { type: 'positionSingle', params: [], answer: 'none', wire: 'B' },
  {
    type: 'positionPeriodic',
    params: [PARAMS.interval(1, 99 * 3600)],
    answer: 'none',
    wire: 'C,<NN><s|m|h>',
  },
  { type: 'positionStop', params: [], answer: 'none', wire: 'D' },
  { type: 'engineStop', params: [], answer: 'result', wire: 'J' },
  { type: 'engineResume', params: [], answer: 'result', wire: 'K' },
  { type: 'alarmArm', params: [], answer: 'result', wire: 'L' },
  { type: 'alarmDisarm', params: [], answer: 'result', wire: 'M' },
  { type: 'takePhoto', params: [], answer: 'none', wire: '160 (the photo follows as vt/vr packets)' },
  {
    type: 'custom',
    params: [PARAMS.text(200, 'code and parameters, e.g. H,080')],
    answer: 'result',
    wire: '<text>',
  },
];

/** Two digits and a unit, rounded down: seconds below a minute, then minutes below an hour, then hours. */
export function intervalText(seconds: number): string {
  const [value, unit] = seconds >= 3600 ? [seconds / 3600, 'h'] : seconds >= 60 ? [seconds / 60, 'm'] : [seconds, 's'];
  return `${String(Math.floor(value)).padStart(2, '0')}${unit}`;
}

export function encodeGps103Command(command: ValidCommand, conn: Connection<Gps103State>): EncodedFrames {
  const imei = conn.deviceId;
  if (!imei) throw new Error('GPS103 command: the device IMEI is not known yet');
  let payload: string;
  if (command.type === 'custom') {
    payload = command.text as string;
    // `;` and line ends end a message: the device would cut the command there
    if (!/^[\x20-\x7e]+$/.test(payload) || payload.includes(';'))
      throw new Error('GPS103 command text must be printable ASCII without ";"');
  } else if (command.type === 'positionPeriodic') payload = `C,${intervalText(command.interval as number)}`;
  else payload = CODES[command.type];
  if (payload === undefined) throw new Error(`GPS103 does not support the command "${command.type}"`);
  const code = /^[A-Za-z]\b/.exec(payload)?.[0];
  return {
    frames: [Buffer.from(`**,imei:${imei},${payload}`, 'latin1')],
    reference: code && `code:${code.toUpperCase()}`,
  };
}
