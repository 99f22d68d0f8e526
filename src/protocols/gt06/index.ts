/** The GT06 (Concox / Jimi IoT) codec: framing, decoding, replies, commands and bitfields. */
import type { Codec } from '../codec';
import { gt06Device } from './device';
import { encodeGt06Command, GT06_COMMANDS, type Gt06CommandState } from './commands';
import { decodeGt06Frame, modelProfile, type Gt06State } from './decoder';
import { gt06Flags } from './flags';
import { detectGt06, gt06FrameLength, GT06_MAX_FRAME } from './frame';

type State = Gt06State & Gt06CommandState;

export const gt06: Codec<State> = {
  protocol: 'gt06',
  maxFrameLength: GT06_MAX_FRAME,
  /** The IMEI: the last 15 of the 16 BCD digits of the login. */
  deviceIdPattern: /^\d{15}$/,
  detect: detectGt06,
  frameLength: gt06FrameLength,
  createState: (options) => ({ loginTimezone: undefined, commandFlag: 0, profile: modelProfile(options.model) }),
  decode: decodeGt06Frame,
  commands: GT06_COMMANDS,
  encodeCommand: (command, conn) => encodeGt06Command(command, conn.state),
  device: gt06Device,
  flags: gt06Flags,
};
