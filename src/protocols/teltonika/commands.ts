/**
 * Teltonika GPRS commands (docs/protocols/teltonika.md): the device's SMS command texts in a Codec 12 packet
 * (`00000000` · length · `0C 01 05` · size · text · `01` · CRC-16/IBM), or in a Codec 14 packet that also names
 * the IMEI, so that only that device runs it. The device answers with a Codec 12/14 response that carries no
 * reference: it goes to the oldest command awaiting an answer.
 */
import type { Connection, EncodedFrames } from '../codec';
import { crc16ibm } from '../common/checksum';
import { type CommandParam, type CommandSpec, PARAMS, type ValidCommand } from '../common/commands';
import { CODEC_12, CODEC_14 } from './frame';
import type { TeltonikaState } from './decoder';

const CHECK_IMEI: CommandParam = {
  name: 'checkImei',
  type: 'boolean',
  label: 'send as Codec 14: only the device with this IMEI runs it (firmware 03.25.04 or newer)',
  optional: true,
  default: false,
};

export const TELTONIKA_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [CHECK_IMEI], answer: 'result', wire: 'setdigout 1 (output 1 on)' },
  { type: 'engineResume', params: [CHECK_IMEI], answer: 'result', wire: 'setdigout 0 (output 1 off)' },
  {
    type: 'outputControl',
    params: [
      { name: 'index', type: 'integer', label: 'digital output', min: 1, max: 4 },
      PARAMS.outputState,
      CHECK_IMEI,
    ],
    answer: 'result',
    wire: 'setdigout with ? for the outputs left alone, e.g. setdigout ?1',
  },
  { type: 'getInfo', params: [CHECK_IMEI], answer: 'result', wire: 'getinfo' },
  { type: 'getVersion', params: [CHECK_IMEI], answer: 'result', wire: 'getver' },
  { type: 'positionSingle', params: [CHECK_IMEI], answer: 'result', wire: 'getgps' },
  { type: 'reboot', params: [CHECK_IMEI], answer: 'none', wire: 'cpureset' },
  {
    type: 'custom',
    params: [
      { ...PARAMS.text(1000, 'an SMS command, e.g. setparam 2004:example.com'), optional: true },
      { name: 'hex', type: 'hex', label: 'bytes to send as they are', optional: true, max: 1000 },
      CHECK_IMEI,
    ],
    answer: 'result',
    wire: 'the text (or the hex bytes) as it is',
  },
];

/** The command text a type stands for (custom: the text or bytes given). */
function payload(command: ValidCommand): Buffer {
  switch (command.type) {
    case 'engineStop':
      return Buffer.from('setdigout 1');
    case 'engineResume':
      return Buffer.from('setdigout 0');
    case 'outputControl':
      return Buffer.from(`setdigout ${'?'.repeat((command.index as number) - 1)}${command.data}`);
    case 'getInfo':
      return Buffer.from('getinfo');
    case 'getVersion':
      return Buffer.from('getver');
    case 'positionSingle':
      return Buffer.from('getgps');
    case 'reboot':
      return Buffer.from('cpureset');
    case 'custom': {
      const { text, hex } = command as { text?: string; hex?: string };
      if ((text === undefined) === (hex === undefined))
        throw new Error('Teltonika custom command: give either "text" or "hex"');
      if (hex !== undefined) return Buffer.from(hex.replace(/[\s:]/g, ''), 'hex');
      // the devices read their SMS command set as ASCII text
      if (!/^[\x20-\x7e]+$/.test(text!)) throw new Error('Teltonika command text must be printable ASCII');
      return Buffer.from(text!, 'latin1');
    }
    default:
      throw new Error(`Teltonika does not support the command "${command.type}"`);
  }
}

/** A command packet: Codec 12, or Codec 14 with the IMEI as 8 bytes of BCD (`imei` given). */
export function teltonikaCommandPacket(text: Buffer, imei?: string): Buffer {
  const id = imei === undefined ? undefined : Buffer.from(imei.padStart(16, '0'), 'hex');
  const body = text.length + (id ? id.length : 0);
  const f = Buffer.alloc(body + 20);
  f.writeUInt32BE(body + 8, 4); // codec .. second count
  f[8] = id ? CODEC_14 : CODEC_12;
  f[9] = 1;
  f[10] = 0x05; // a command
  f.writeUInt32BE(body, 11);
  if (id) id.copy(f, 15);
  text.copy(f, 15 + (id ? id.length : 0));
  f[15 + body] = 1;
  f.writeUInt32BE(crc16ibm(f, 8, f.length - 4), f.length - 4);
  return f;
}

export function encodeTeltonikaCommand(command: ValidCommand, conn: Connection<TeltonikaState>): EncodedFrames {
  if (conn.options.transport === 'udp') throw new Error('Teltonika devices take commands over TCP only');
  const text = payload(command);
  if (!command.checkImei) return { frames: [teltonikaCommandPacket(text)] };
  const imei = conn.deviceId;
  if (!imei || !/^[0-9]{1,16}$/.test(imei)) throw new Error('Teltonika Codec 14 command: the device IMEI is not known');
  return { frames: [teltonikaCommandPacket(text, imei)] };
}
