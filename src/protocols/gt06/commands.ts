/** GT06 server commands: type 0x80 online command carrying ASCII text (docs/protocols/gt06.md). */
import type { CommandAnswer, EncodedCommand } from '../codec';
import { PARAMS, type CommandParam, type CommandSpec, type ValidCommand } from '../common/commands';
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

/** Set by callers that must reproduce a given flag (Traccar always sends 0); otherwise each command numbers its own. */
const serverFlag: CommandParam = {
  name: 'serverFlag',
  type: 'integer',
  label: 'server flag',
  min: 0,
  max: 0xffffffff,
  optional: true,
  hidden: true,
};
const alternative: CommandParam = {
  name: 'alternative',
  type: 'boolean',
  label: 'use the DYD/HFYD family',
  optional: true,
};
const password: CommandParam = {
  name: 'password',
  type: 'text',
  label: 'device password (DYD/HFYD family)',
  max: 20,
  optional: true,
  hidden: true, // a credential of the tracker-command node
};

export const GT06_COMMANDS: readonly CommandSpec[] = [
  {
    type: 'engineStop',
    params: [alternative, password, serverFlag],
    answer: 'result',
    wire: 'Relay,1# (or DYD,<password>#)',
  },
  {
    type: 'engineResume',
    params: [alternative, password, serverFlag],
    answer: 'result',
    wire: 'Relay,0# (or HFYD,<password>#)',
  },
  {
    type: 'outputControl',
    params: [
      { name: 'index', type: 'integer', label: 'output', min: 1, max: 1, default: 1 },
      PARAMS.outputState,
      serverFlag,
    ],
    answer: 'result',
    wire: 'Relay,<data>#',
  },
  { type: 'reboot', params: [serverFlag], answer: 'result', wire: 'RESET#' },
  { type: 'positionSingle', params: [serverFlag], answer: 'result', wire: 'WHERE#' },
  {
    type: 'positionPeriodic',
    params: [PARAMS.interval(5, 18000), serverFlag],
    answer: 'result',
    wire: 'TIMER,<interval>#',
  },
  {
    type: 'setTimezone',
    params: [PARAMS.utcOffset(), serverFlag],
    answer: 'result',
    wire: 'GMT,<E|W>,<hours>,<minutes>#',
  },
  {
    type: 'custom',
    params: [PARAMS.text(MAX_TEXT), serverFlag],
    answer: 'result',
    wire: 'the text as it is',
  },
];

/** Text of a command type. Vendors differ: `alternative` selects the `DYD,<password>#` family. */
export function commandText(command: ValidCommand): string {
  const password = (command.password as string | undefined) ?? '123456';
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
      text = `Relay,${command.data}#`;
      break;
    case 'reboot':
      text = 'RESET#';
      break;
    case 'positionSingle':
      text = 'WHERE#';
      break;
    case 'positionPeriodic':
      text = `TIMER,${command.interval}#`;
      break;
    case 'setTimezone': {
      // minutes east of UTC -> GMT,E|W,<hours>,<minutes>#
      const minutes = command.offset as number;
      const abs = Math.abs(minutes);
      text = `GMT,${minutes < 0 ? 'W' : 'E'},${Math.floor(abs / 60)},${abs % 60}#`;
      break;
    }
    default:
      text = command.text as string;
  }
  // Printable ASCII only: CR/LF or binary would corrupt the device's command parser.
  if (!/^[\x20-\x7e]+$/.test(text)) throw new Error('GT06 command text must be printable ASCII (no CR/LF)');
  return text;
}

/**
 * Each command gets the next server flag of the connection, unless the caller sets `serverFlag`
 * (0 is what Traccar sends; answers to it cannot be told apart).
 */
export function encodeGt06Command(command: ValidCommand, state: Gt06CommandState): EncodedCommand {
  const text = commandText(command);
  let flag: number;
  if (command.serverFlag !== undefined) flag = command.serverFlag as number;
  else {
    state.commandFlag = (state.commandFlag % 0x7fffffff) + 1;
    flag = state.commandFlag;
  }
  return {
    frames: [textCommandFrame(text, flag)],
    reference: flag ? `flag:${flag}` : undefined,
    expectsAnswer: true,
  };
}

/** 0x15 / 0x21 answers carry the server flag of the command they answer (0: not echoed, the oldest waiting). */
export function gt06Answer(serverFlag: number, result: unknown): CommandAnswer {
  return { reference: serverFlag !== 0 ? `flag:${serverFlag}` : undefined, status: 'result', result, final: true };
}
