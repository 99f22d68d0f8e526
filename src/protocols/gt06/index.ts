/** The GT06 (Concox / Jimi IoT) codec: framing, decoding, replies and commands. */
import type { Codec } from '../codec';
import { encodeGt06Command, gt06CommandAnswer, type Gt06CommandState } from './commands';
import { decodeGt06Frame, type Gt06State } from './decoder';
import { detectGt06, gt06FrameLength, GT06_MAX_FRAME } from './frame';

type State = Gt06State & Gt06CommandState;

export const gt06: Codec<State> = {
  protocol: 'gt06',
  maxFrameLength: GT06_MAX_FRAME,
  detect: detectGt06,
  frameLength: gt06FrameLength,
  createState: () => ({ loginTimezone: undefined, commandFlag: 0 }),
  decode: decodeGt06Frame,
  encodeCommand: (command, conn) => encodeGt06Command(command, conn.state),
  commandAnswer: gt06CommandAnswer,
};
