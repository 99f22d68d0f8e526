/**
 * OsmAnd commands (docs/protocols/osmand.md): HTTP has no way to reach a phone between its requests, so a
 * command waits in the server's queue and goes back, as Traccar sends it, as the UTF-8 body of the 200
 * answer to the device's next query or form request. Scripts and gateways read it; the Traccar Client apps
 * ignore it (they take commands by push notification).
 */
import type { Connection, EncodedFrames } from '../codec';
import type { CommandSpec, ValidCommand } from '../common/commands';
import type { OsmandState } from './decoder';

export const OSMAND_COMMANDS: readonly CommandSpec[] = [
  {
    type: 'custom',
    params: [
      { name: 'text', type: 'text', label: 'text the device reads as its command', max: 1000, aliases: ['data'] },
    ],
    answer: 'none',
    wire: 'the body of the answer to the next request',
  },
];

export function encodeOsmandCommand(command: ValidCommand, _conn: Connection<OsmandState>): EncodedFrames {
  if (command.type !== 'custom') throw new Error(`osmand does not support the command "${command.type}"`);
  return { frames: [Buffer.from(command.text as string, 'utf8')] };
}
