/** VT600 commands (docs/protocols/vt600.md): `$$:` + length + `,IMEI,` + payload + byte-sum checksum + CR LF. */
import type { CommandAnswer, Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandSpec, type ValidCommand } from '../common/commands';
import { sum8 } from '../common/checksum';
import type { Vt600State } from './decoder';

export const VT600_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [], answer: 'result', wire: '900,1,1' },
  { type: 'engineResume', params: [], answer: 'result', wire: '900,1,0' },
  {
    type: 'outputControl',
    params: [{ name: 'index', type: 'integer', label: 'output', min: 1, max: 9 }, PARAMS.outputState],
    answer: 'result',
    wire: '900,<index>,<data>',
  },
  {
    type: 'custom',
    params: [PARAMS.text(200, 'command code and parameters, e.g. 808,...')],
    answer: 'result',
    wire: 'the text, framed',
  },
];

export function vt600Payload(command: ValidCommand): string {
  switch (command.type) {
    case 'engineStop':
      return '900,1,1';
    case 'engineResume':
      return '900,1,0';
    case 'outputControl':
      return `900,${command.index},${command.data}`;
    case 'custom': {
      const text = command.text as string;
      // CR LF ends a frame: a payload holding one would be cut in two by the device
      if (!/^[\x20-\x7e]+$/.test(text))
        throw new Error('VT600 command text must be printable ASCII without line breaks');
      if (!/^[0-9A-Fa-f]{3}(,|$)/.test(text))
        throw new Error('VT600 command text starts with its 3-character command code, e.g. "900,1,1"');
      return text;
    }
    default:
      throw new Error(`VT600 does not support the command "${command.type}"`);
  }
}

export function vt600Frame(imei: string, payload: string): Buffer {
  const body = `,${imei},${payload}`;
  const text = `$$:${body.length}${body}`;
  const sum = sum8(Buffer.from(text, 'latin1'));
  return Buffer.from(`${text}${sum.toString(16).toUpperCase().padStart(2, '0')}\r\n`, 'latin1');
}

/** The device answers with the command's code (`&&:…,IMEI,900,OK…`): that code is the reference. */
export function encodeVt600Command(command: ValidCommand, conn: Connection<Vt600State>): EncodedFrames {
  const imei = conn.deviceId;
  if (!imei || !/^\d+$/.test(imei)) throw new Error('VT600 command: the device IMEI is not known yet');
  const payload = vt600Payload(command);
  return {
    frames: [vt600Frame(imei, payload)],
    reference: `code:${payload.slice(0, 3).toUpperCase()}`,
  };
}

/** A result frame names the code of the command it answers. */
export function vt600Answer(code: string, result: string): CommandAnswer {
  return { reference: `code:${code}`, status: 'result', result, final: true };
}
