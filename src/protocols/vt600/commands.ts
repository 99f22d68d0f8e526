/** VT600 commands (protocol notes §2.7): `$$:` + length + `,IMEI,` + payload + byte-sum checksum + CR LF. */
import type { CommandAnswer, CommandRequest, Connection, EncodedCommand } from '../codec';
import { sum8 } from '../common/checksum';
import type { TrackerMessage } from '../../types';
import type { Vt600State } from './decoder';

function int(command: CommandRequest, name: string, min: number, max: number): number {
  const v = Number(command[name]);
  if (command[name] === undefined || command[name] === '' || !Number.isInteger(v) || v < min || v > max)
    throw new Error(`${command.type} needs "${name}" as a whole number from ${min} to ${max}`);
  return v;
}

export function vt600Payload(command: CommandRequest): string {
  switch (command.type) {
    case 'engineStop':
      return '900,1,1';
    case 'engineResume':
      return '900,1,0';
    case 'outputControl':
      return `900,${int(command, 'index', 1, 9)},${int(command, 'data', 0, 1)}`;
    case 'custom': {
      const text =
        typeof command.text === 'string' ? command.text : typeof command.data === 'string' ? command.data : '';
      if (!text) throw new Error('custom needs a "text" such as "808,..."');
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
export function encodeVt600Command(command: CommandRequest, conn: Connection<Vt600State>): EncodedCommand {
  const imei = conn.deviceId ?? (typeof command.deviceId === 'string' ? command.deviceId : undefined);
  if (!imei || !/^\d+$/.test(imei)) throw new Error('VT600 command: the device IMEI is not known yet');
  const payload = vt600Payload(command);
  return {
    frames: [vt600Frame(imei, payload)],
    reference: `code:${payload.slice(0, 3).toUpperCase()}`,
    expectsAnswer: true,
  };
}

export function vt600CommandAnswer(m: TrackerMessage): CommandAnswer | undefined {
  if (m.type !== 'result' || typeof m.attributes.commandCode !== 'string') return undefined;
  return { reference: `code:${m.attributes.commandCode}`, status: 'result', result: m.attributes.result, final: true };
}
