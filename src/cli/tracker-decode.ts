/**
 * tracker-decode [--protocol auto|<name>] [--transport tcp|udp] [--model <model>] [--timezone <minutes>]
 *                [--now <ISO time>] [FILE...]
 * Each input line is hex: the next bytes received on one connection (one connection per file, or stdin); with
 * --transport udp, one datagram from one peer.
 * Prints one JSON line per input line: {"messages":[...],"replies":["<hex>",...],"errors":[...]}.
 * HTTP requests (OsmAnd) go through the server's HTTP path (Node's parser); their answers are the replies.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { HttpReplay } from '../server/http-replay';
import { createSession } from '../session';
import { PROTOCOLS } from '../protocols';
import type { ProtocolName, SessionOptions } from '../types';

const USAGE = `usage: tracker-decode [--protocol auto|${PROTOCOLS.join('|')}] [--transport tcp|udp] [--model MODEL]
                      [--timezone MINUTES] [--now ISO-TIME] [FILE...]
Reads hex lines (from the files, or stdin); each line is the next bytes received on one connection, or with
--transport udp one datagram (a frame it leaves unfinished is dropped, not completed by the next line).
--model names the device model where the protocol's layout depends on it (GT06: NT20, VL103...; Teltonika:
FMB920, FMC130..., which names the model family's I/O elements).
Prints one JSON line per input line: {"messages":[...],"replies":["<hex>",...],"errors":[...]}.
HTTP requests (osmand) are read by Node's HTTP parser as on the server; replies are the HTTP answers.`;

async function main(argv: string[]): Promise<number> {
  const config = {
    args: argv,
    allowPositionals: true,
    options: {
      protocol: { type: 'string', short: 'p', default: 'auto' },
      transport: { type: 'string', short: 't', default: 'tcp' },
      model: { type: 'string' },
      timezone: { type: 'string' },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  } as const;
  let args: ReturnType<typeof parseArgs<typeof config>>;
  try {
    args = parseArgs(config);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const protocol = args.values.protocol as string;
  if (protocol !== 'auto' && !PROTOCOLS.includes(protocol as ProtocolName)) {
    process.stderr.write(`unknown protocol "${protocol}"\n${USAGE}\n`);
    return 2;
  }
  const transport = args.values.transport;
  if (transport !== 'tcp' && transport !== 'udp') {
    process.stderr.write(`--transport takes tcp or udp\n${USAGE}\n`);
    return 2;
  }
  const options: SessionOptions = { protocol: protocol as SessionOptions['protocol'], transport };
  if (args.values.model) options.model = args.values.model;
  if (args.values.timezone !== undefined) {
    const tz = Number(args.values.timezone);
    if (!Number.isInteger(tz) || Math.abs(tz) > 14 * 60) {
      process.stderr.write(`--timezone takes minutes east of UTC (-840..840)\n`);
      return 2;
    }
    options.timezoneOffset = tz;
  }
  if (args.values.now !== undefined) {
    const fixed = Date.parse(args.values.now);
    if (Number.isNaN(fixed)) {
      process.stderr.write(`--now takes an ISO-8601 time\n`);
      return 2;
    }
    options.now = () => fixed;
  }
  const inputs = args.positionals.length ? args.positionals : ['-'];
  for (const input of inputs) {
    const session = createSession(options);
    const connection = new HttpReplay(session);
    const stream = input === '-' ? process.stdin : createReadStream(input);
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const hex = line.replace(/[\s:]/g, '');
        if (!hex || hex.startsWith('#')) continue;
        if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
          process.stdout.write(
            JSON.stringify({ messages: [], replies: [], errors: [{ code: 'malformed', message: 'line is not hex' }] }) +
              '\n',
          );
          continue;
        }
        const { messages, replies, errors } = await connection.push(Buffer.from(hex, 'hex'));
        if (transport === 'udp') {
          const dropped = session.discardBuffered();
          if (dropped) errors.push(dropped);
        }
        const result: Record<string, unknown> = { messages, replies: replies.map((r) => r.toString('hex')) };
        if (errors.length) result.errors = errors;
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
    } catch (err) {
      process.stderr.write(`${input}: ${(err as Error).message}\n`);
      return 1;
    } finally {
      connection.close();
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
