/** JT600 commands (protocol notes §1.7): ASCII in parentheses, no CR/LF. */
import type { CommandRequest, EncodedCommand } from '../codec';

/** Minutes east of UTC from `offset` (minutes) or `timezone` ("GMT+4", "UTC-5:30", "+08:00"). */
export function offsetMinutes(command: CommandRequest): number {
  if (command.offset !== undefined && command.offset !== '') {
    const n = Number(command.offset);
    if (!Number.isInteger(n) || n < -720 || n > 840)
      throw new Error('setTimezone: "offset" must be minutes from -720 to 840');
    return n;
  }
  const m = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(String(command.timezone ?? '').trim());
  if (!m) throw new Error('setTimezone needs "offset" (minutes east of UTC) or "timezone" like "GMT+4"');
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

export function jt600CommandText(command: CommandRequest): string {
  switch (command.type) {
    case 'engineStop':
      return '(S07,0)';
    case 'engineResume':
      return '(S07,1)';
    case 'setTimezone':
      return `(S09,1,${offsetMinutes(command)})`;
    case 'reboot':
    case 'rebootDevice':
      return '(S17)';
    case 'custom': {
      const text =
        typeof command.text === 'string' ? command.text : typeof command.data === 'string' ? command.data : '';
      const body = text.replace(/^\((.*)\)$/, '$1');
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
export function encodeJt600Command(command: CommandRequest): EncodedCommand {
  return { frames: [Buffer.from(jt600CommandText(command), 'latin1')], expectsAnswer: false };
}
