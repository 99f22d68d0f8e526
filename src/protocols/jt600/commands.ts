/** JT600 commands (docs/protocols/jt600.md): ASCII in parentheses, no CR/LF. */
import type { CommandRequest, EncodedFrames } from '../codec';
import { PARAMS, type CommandSpec, type ValidCommand } from '../common/commands';

export const JT600_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [], answer: 'none', wire: '(S07,0)' },
  { type: 'engineResume', params: [], answer: 'none', wire: '(S07,1)' },
  {
    type: 'setTimezone',
    params: [
      PARAMS.utcOffset(true),
      { name: 'timezone', type: 'text', label: 'or as text, e.g. GMT+4', max: 12, optional: true },
    ],
    answer: 'none',
    wire: '(S09,1,<minutes>)',
  },
  { type: 'reboot', params: [], answer: 'none', wire: '(S17)' },
  {
    type: 'custom',
    params: [PARAMS.text(200, 'command, with or without its parentheses')],
    answer: 'none',
    wire: '(<text>)',
  },
];

/** Minutes east of UTC from `offset` (minutes) or `timezone` ("GMT+4", "UTC-5:30", "+08:00"). */
export function offsetMinutes(command: CommandRequest): number {
  if (typeof command.offset === 'number') return command.offset;
  const m = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(String(command.timezone ?? '').trim());
  if (!m) throw new Error('setTimezone needs "offset" (minutes east of UTC) or "timezone" like "GMT+4"');
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) throw new Error(`setTimezone: "${command.timezone}" is not a time zone offset`);
  return m[1] === '-' ? -minutes : minutes;
}

export function jt600CommandText(command: ValidCommand): string {
  switch (command.type) {
    case 'engineStop':
      return '(S07,0)';
    case 'engineResume':
      return '(S07,1)';
    case 'setTimezone':
      return `(S09,1,${offsetMinutes(command)})`;
    case 'reboot':
      return '(S17)';
    case 'custom': {
      const body = (command.text as string).replace(/^\((.*)\)$/, '$1');
      if (!body) throw new Error('custom needs a "text"');
      // parentheses delimit frames: one inside would end the command early
      if (/[()\r\n]/.test(body) || !/^[\x20-\x7e]+$/.test(body))
        throw new Error('JT600 command text must be printable ASCII without "(", ")" or line breaks');
      return `(${body})`;
    }
    default:
      throw new Error(`JT600 does not support the command "${command.type}"`);
  }
}

/** JT600 devices answer commands with no reference to them: nothing to wait for. */
export function encodeJt600Command(command: ValidCommand): EncodedFrames {
  return { frames: [Buffer.from(jt600CommandText(command), 'latin1')] };
}
