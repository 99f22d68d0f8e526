/**
 * H02 decoding (docs/protocols/h02.md): text messages by type, binary positions by layout. `X` blocks (their
 * meaning is unknown) and the blanks some firmware sends between messages give nothing.
 */
import type { Connection, DecodeOutput } from '../codec';
import { decodeBinary } from './binary';
import type { H02State } from './status';
import { decodeText } from './text';

export function decodeH02Frame(frame: Buffer, conn: Connection<H02State>, out: DecodeOutput): void {
  const first = frame[0];
  if (first === 0x2a) decodeText(frame, conn, out);
  else if (first === 0x24) decodeBinary(frame, conn, out);
}
