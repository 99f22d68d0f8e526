/** GT06 server commands: type 0x80 online command carrying ASCII text (protocol notes §8). */
import type { CommandAnswer, CommandRequest, EncodedCommand } from '../codec';
import type { TrackerMessage } from '../../types';
import { gt06Frame } from './replies';

/** Per-connection command state: the server flag of the last command (echoed by the device's answer). */
export interface Gt06CommandState {
  commandFlag: number;
}

/**
 * `78 78 len 80 cmdLen serverFlag(4) ASCII [language(2)] serial(2) crc 0d 0a`.
 * The device echoes `serverFlag` in its 0x15 / 0x21 answer, which is how an answer finds its command.
 */
export function textCommandFrame(text: string, serverFlag = 0, serial = 0, language?: number): Buffer {
  const ascii = Buffer.from(text, 'latin1');
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

const MAX_TEXT = 200;

function number(command: CommandRequest, name: string, min: number, max: number): number {
  const v = Number(command[name]);
  if (command[name] === undefined || command[name] === '' || !Number.isInteger(v) || v < min || v > max)
    throw new Error(`${command.type} needs "${name}" as a whole number from ${min} to ${max}`);
  return v;
}

/** Text of a command type. Vendors differ: `alternative` selects the `DYD,<password>#` family. */
export function commandText(command: CommandRequest): string {
  const password = typeof command.password === 'string' && command.password ? command.password : '123456';
  const alternative = command.alternative === true;
  let text: string;
  switch (command.type) {
    case 'engineStop':
      text = alternative ? `DYD,${password}#` : 'Relay,1#';
      break;
    case 'engineResume':
      text = alternative ? `HFYD,${password}#` : 'Relay,0#';
      break;
    case 'outputControl':
      number(command, 'index', 1, 1);
      text = `Relay,${number(command, 'data', 0, 1)}#`;
      break;
    case 'reboot':
    case 'rebootDevice':
      text = 'RESET#';
      break;
    case 'positionSingle':
      text = 'WHERE#';
      break;
    case 'positionPeriodic':
      text = `TIMER,${number(command, 'interval', 5, 18000)}#`;
      break;
    case 'setTimezone': {
      // minutes east of UTC -> GMT,E|W,<hours>,<minutes>#
      const minutes = number(command, 'offset', -720, 840);
      const abs = Math.abs(minutes);
      text = `GMT,${minutes < 0 ? 'W' : 'E'},${Math.floor(abs / 60)},${abs % 60}#`;
      break;
    }
    case 'custom':
      if (typeof command.text !== 'string' || !command.text) throw new Error('custom needs a "text"');
      text = command.text;
      break;
    default:
      throw new Error(`GT06 does not support the command "${command.type}"`);
  }
  // Printable ASCII only: CR/LF or binary would corrupt the device's command parser.
  if (!/^[\x20-\x7e]+$/.test(text)) throw new Error('GT06 command text must be printable ASCII (no CR/LF)');
  if (text.length > MAX_TEXT) throw new Error(`GT06 command text too long (${text.length} > ${MAX_TEXT})`);
  return text;
}

/**
 * Each command gets the next server flag of the connection, unless the caller sets `serverFlag`
 * (0 is what Traccar sends; answers to it cannot be told apart).
 */
export function encodeGt06Command(command: CommandRequest, state: Gt06CommandState): EncodedCommand {
  const text = commandText(command);
  let flag: number;
  if (command.serverFlag !== undefined) flag = number(command, 'serverFlag', 0, 0xffffffff);
  else flag = state.commandFlag = (state.commandFlag % 0x7fffffff) + 1;
  return {
    frames: [textCommandFrame(text, flag)],
    reference: flag ? `flag:${flag}` : undefined,
    expectsAnswer: true,
  };
}

/** 0x15 / 0x21 text answers carry the server flag of the command they answer (0 = not echoed). */
export function gt06CommandAnswer(message: TrackerMessage): CommandAnswer | undefined {
  if (message.type !== 'result' || typeof message.attributes.result !== 'string') return undefined;
  const flag = message.attributes.serverFlag;
  return {
    reference: typeof flag === 'number' && flag !== 0 ? `flag:${flag}` : undefined,
    status: 'result',
    result: message.attributes.result,
    final: true,
  };
}
