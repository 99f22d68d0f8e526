/**
 * Declared commands: each codec lists the command types it supports with their parameters (type, range, unit).
 * The declaration drives validation (here, before any encoder runs), the tracker-command editor, the README's
 * command tables and the node help; an encoder only ever sees a command that passed it.
 */
import { COMMAND_ALIASES, COMMAND_TYPES, type CommandType } from '../../vocabulary';
import type { CommandRequest } from '../codec';

export type ParamType = 'integer' | 'text' | 'boolean' | 'hex' | 'choice' | 'object' | 'list';

export interface CommandParam {
  name: string;
  type: ParamType;
  /** What to enter, for the editor and the docs. */
  label: string;
  unit?: string;
  /** integer: the range; text and hex: the length in characters / bytes. */
  min?: number;
  max?: number;
  /** choice: the values allowed. */
  choices?: readonly (string | number)[];
  /** May be left out (the encoder then uses `default` or its own rule). */
  optional?: boolean;
  default?: string | number | boolean;
  /** Other names callers use for it (Traccar's, for instance); validation renames them. */
  aliases?: readonly string[];
  /** Not offered in the editor (set by the node itself, or for scripts and tests). */
  hidden?: boolean;
}

export interface CommandSpec {
  type: CommandType;
  params: readonly CommandParam[];
  /**
   * What comes back: `result` (an answer the server matches to the command), `delivered` (only an
   * acknowledgement), `none` (nothing to wait for).
   */
  answer: 'result' | 'delivered' | 'none';
  /** What goes on the wire, for the docs (e.g. `Relay,1#`). */
  wire?: string;
}

/** A command that passed validation: its type is canonical and its parameters typed. */
export type ValidCommand = CommandRequest & { type: CommandType };

const MAX_TEXT = 1024;

function fail(protocol: string, type: string, message: string): never {
  throw new Error(`${protocol} ${type}: ${message}`);
}

function describe(p: CommandParam): string {
  if (p.type === 'integer')
    return `a whole number from ${p.min ?? '-∞'} to ${p.max ?? '∞'}${p.unit ? ` (${p.unit})` : ''}`;
  if (p.type === 'choice') return `one of ${(p.choices ?? []).join(', ')}`;
  if (p.type === 'hex') return 'hex bytes';
  return `a ${p.type}`;
}

function checkParam(protocol: string, type: string, p: CommandParam, raw: unknown): unknown {
  const bad = (): never => fail(protocol, type, `"${p.name}" must be ${describe(p)}, not ${JSON.stringify(raw)}`);
  switch (p.type) {
    case 'integer': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad();
      if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) return bad();
      return v;
    }
    case 'boolean':
      if (raw === true || raw === 'true' || raw === 1 || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === 0 || raw === '0') return false;
      return bad();
    case 'choice': {
      const match = (p.choices ?? []).find((c) => String(c) === String(raw));
      return match === undefined ? bad() : match;
    }
    case 'text':
    case 'hex': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad();
      const v = String(raw);
      if (p.type === 'hex' && !/^(?:[0-9a-fA-F]{2}|[\s:])*$/.test(v)) return bad();
      const size = p.type === 'hex' ? v.replace(/[\s:]/g, '').length / 2 : v.length;
      if (size < (p.min ?? 1) || size > (p.max ?? MAX_TEXT))
        fail(
          protocol,
          type,
          `"${p.name}" must have ${p.min ?? 1} to ${p.max ?? MAX_TEXT} ${p.type === 'hex' ? 'bytes' : 'characters'}`,
        );
      return v;
    }
    case 'object':
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad();
      return raw;
    case 'list':
      if (!Array.isArray(raw)) return bad();
      return raw;
  }
}

/**
 * Checks a command against a protocol's declarations and returns it normalised (canonical type, canonical
 * parameter names, typed values, defaults filled in). Throws an Error a user can act on.
 */
export function validateCommand(protocol: string, specs: readonly CommandSpec[], command: unknown): ValidCommand {
  if (!command || typeof command !== 'object' || typeof (command as CommandRequest).type !== 'string')
    throw new Error('a command is an object with a "type"');
  const request = command as CommandRequest;
  const type = (COMMAND_ALIASES as Record<string, CommandType>)[request.type] ?? request.type;
  const spec = specs.find((s) => s.type === type);
  if (!spec) {
    const known = Object.hasOwn(COMMAND_TYPES, type) ? 'does not support' : 'has no command';
    throw new Error(`${protocol} ${known} "${request.type}" (it supports: ${specs.map((s) => s.type).join(', ')})`);
  }
  const out: ValidCommand = { type };
  const seen = new Set<string>(['type']);
  for (const p of spec.params) {
    let raw: unknown;
    for (const name of [p.name, ...(p.aliases ?? [])]) {
      seen.add(name);
      if (raw === undefined && request[name] !== undefined && request[name] !== '') raw = request[name];
    }
    if (raw === undefined) {
      if (p.default !== undefined) out[p.name] = p.default;
      else if (!p.optional) fail(protocol, type, `needs "${p.name}" (${p.label}: ${describe(p)})`);
      continue;
    }
    out[p.name] = checkParam(protocol, type, p, raw);
  }
  for (const key of Object.keys(request))
    if (!seen.has(key) && request[key] !== undefined)
      fail(
        protocol,
        type,
        `unknown parameter "${key}" (it takes: ${spec.params.map((p) => p.name).join(', ') || 'none'})`,
      );
  return out;
}

/** Parameters several protocols declare alike, so that they read the same everywhere. */
export const PARAMS = {
  /** Seconds between reports (Traccar: `frequency`). */
  interval: (min: number, max: number): CommandParam => ({
    name: 'interval',
    type: 'integer',
    label: 'report interval',
    unit: 's',
    min,
    max,
    aliases: ['frequency'],
  }),
  /** Minutes east of UTC. */
  utcOffset: (optional = false): CommandParam => ({
    name: 'offset',
    type: 'integer',
    label: 'offset east of UTC',
    unit: 'min',
    min: -720,
    max: 840,
    optional,
  }),
  /** The text of a custom command (Traccar: `data`). */
  text: (max: number, label = 'command text'): CommandParam => ({
    name: 'text',
    type: 'text',
    label,
    max,
    aliases: ['data'],
  }),
  /** On (1) or off (0) for an output (Traccar: `data`). */
  outputState: { name: 'data', type: 'integer', label: 'state (1 on, 0 off)', min: 0, max: 1, aliases: ['value'] },
} satisfies Record<string, CommandParam | ((...args: never[]) => CommandParam)>;
