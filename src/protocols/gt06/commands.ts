/** GT06 server commands: type 0x80 online command carrying ASCII text (protocol notes §8). */
import type { CommandRequest } from '../codec';
import { gt06Frame } from './replies';

/**
 * `78 78 len 80 cmdLen serverFlag(4) ASCII [language(2)] serial(2) crc 0d 0a`.
 * `serverFlag` lets a reply (0x15 / 0x21 echoes it) be matched to its command.
 */
export function textCommandFrame(text: string, serverFlag = 0, serial = 0, language?: number): Buffer {
  const ascii = Buffer.from(text, 'ascii');
  if (ascii.length > 200) throw new Error(`GT06 command text too long (${ascii.length} bytes, max 200)`);
  const extra = language === undefined ? 0 : 2;
  const body = Buffer.allocUnsafe(2 + 4 + ascii.length + extra + 2);
  body[0] = 0x80;
  body[1] = 4 + ascii.length;
  body.writeUInt32BE(serverFlag >>> 0, 2);
  ascii.copy(body, 6);
  let at = 6 + ascii.length;
  if (language !== undefined) {
    body.writeUInt16BE(language, at);
    at += 2;
  }
  body.writeUInt16BE(serial & 0xffff, at);
  return gt06Frame(body);
}

/** Text of a command type (Traccar's defaults; `alternative` = the `DYD,<password>#` family). */
export function commandText(command: CommandRequest): string {
  const password = typeof command.password === 'string' && command.password ? command.password : '123456';
  const alternative = command.alternative === true;
  switch (command.type) {
    case 'engineStop':
      return alternative ? `DYD,${password}#` : 'Relay,1#';
    case 'engineResume':
      return alternative ? `HFYD,${password}#` : 'Relay,0#';
    case 'custom':
      if (typeof command.text !== 'string' || !command.text) throw new Error('custom command needs a text');
      return command.text;
    default:
      throw new Error(`GT06 does not support the command type "${command.type}"`);
  }
}
