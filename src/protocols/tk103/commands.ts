/**
 * TK103 commands (docs/protocols/tk103.md). Two forms: `(<id><code><data>)` for the fixed-form units, and the
 * SMS command text tunnelled over GPRS as `[begin]sms2,<text>,[end]` for the comma-form units (VJOY T580W and
 * alike), which answer it with a ZC03 result. A command goes in the form the device speaks (`alternative`
 * overrides); commands that only exist as SMS text always go that way.
 */
import type { Connection, EncodedFrames } from '../codec';
import { PARAMS, type CommandParam, type CommandSpec, type ValidCommand } from '../common/commands';
import type { Tk103State } from './decoder';

const alternative: CommandParam = {
  name: 'alternative',
  type: 'boolean',
  label: 'as SMS text over GPRS (default: when the device speaks the comma form)',
  optional: true,
};
const enable: CommandParam = { name: 'enable', type: 'boolean', label: 'on' };

/** How a command type is written: its fixed form, its SMS text, or both. */
interface Forms {
  fixed?: (c: ValidCommand) => string;
  sms?: (c: ValidCommand) => string;
}

const FORMS: Readonly<Record<string, Forms>> = {
  engineStop: { fixed: () => 'AV010' },
  engineResume: { fixed: () => 'AV011' },
  outputControl: { fixed: (c) => `AV00${c.data}` },
  positionSingle: { fixed: () => 'AP00', sms: () => '*getposl*' },
  positionPeriodic: {
    fixed: (c) => {
      if (typeof c.interval !== 'number') throw new Error('TK103 positionPeriodic needs "interval" (seconds)');
      return `AR00${c.interval.toString(16).toUpperCase().padStart(4, '0')}0000`;
    },
    sms: () => '*routetrack*99*',
  },
  positionStop: { fixed: () => 'AR0000000000', sms: () => '*routetrackoff*' },
  getVersion: { fixed: () => 'AP07', sms: () => '*about*' },
  reboot: { fixed: () => 'AT00', sms: () => '88888888' },
  setOdometer: { fixed: () => 'AX01' },
  custom: { fixed: (c) => c.text as string, sms: (c) => c.text as string },
  powerOff: { sms: () => '*turnoff*' },
  getInfo: { sms: () => '*status*' },
  deviceIdentification: { sms: () => '999999' },
  modeDeepSleep: { sms: (c) => (c.enable ? '*sleep*2*' : '*sleepoff*') },
  modePowerSaving: { sms: (c) => (c.enable ? '*sleepv*' : '*sleepoff*') },
  alarmSos: { sms: (c) => (c.enable ? '*soson*' : '*sosoff*') },
  setConnection: { sms: (c) => `*setip*${(c.server as string).split('.').join('*')}*${c.port}*` },
  sosNumber: { sms: (c) => `*master*${c.password}*${c.phone}*` },
};

/** The wire text of each form, for the docs. */
function wire(fixed?: string, sms?: string): string {
  return [fixed && `(<id>${fixed})`, sms && `[begin]sms2,${sms},[end]`].filter(Boolean).join(' or ');
}

export const TK103_COMMANDS: readonly CommandSpec[] = [
  { type: 'engineStop', params: [alternative], answer: 'none', wire: wire('AV010') },
  { type: 'engineResume', params: [alternative], answer: 'none', wire: wire('AV011') },
  {
    type: 'outputControl',
    params: [PARAMS.outputState, alternative],
    answer: 'none',
    wire: wire('AV00<data>'),
  },
  { type: 'positionSingle', params: [alternative], answer: 'result', wire: wire('AP00', '*getposl*') },
  {
    type: 'positionPeriodic',
    params: [
      { ...PARAMS.interval(1, 65535), label: 'report interval (the SMS form keeps the unit’s own)', optional: true },
      alternative,
    ],
    answer: 'result',
    wire: wire('AR00<interval, 4 hex>0000', '*routetrack*99*'),
  },
  { type: 'positionStop', params: [alternative], answer: 'result', wire: wire('AR0000000000', '*routetrackoff*') },
  { type: 'getVersion', params: [alternative], answer: 'result', wire: wire('AP07', '*about*') },
  { type: 'reboot', params: [alternative], answer: 'result', wire: wire('AT00', '88888888') },
  { type: 'setOdometer', params: [alternative], answer: 'none', wire: wire('AX01') },
  { type: 'powerOff', params: [], answer: 'result', wire: wire(undefined, '*turnoff*') },
  { type: 'getInfo', params: [], answer: 'result', wire: wire(undefined, '*status*') },
  { type: 'deviceIdentification', params: [], answer: 'result', wire: wire(undefined, '999999') },
  { type: 'modeDeepSleep', params: [enable], answer: 'result', wire: wire(undefined, '*sleep*2* / *sleepoff*') },
  {
    type: 'modePowerSaving',
    params: [enable],
    answer: 'result',
    wire: wire(undefined, '*sleepv* / *sleepoff*'),
  },
  { type: 'alarmSos', params: [enable], answer: 'result', wire: wire(undefined, '*soson* / *sosoff*') },
  {
    type: 'setConnection',
    params: [
      { name: 'server', type: 'text', label: 'server IPv4 address', max: 64 },
      { name: 'port', type: 'integer', label: 'server port', min: 1, max: 65535 },
    ],
    answer: 'result',
    wire: wire(undefined, '*setip*<a>*<b>*<c>*<d>*<port>*'),
  },
  {
    type: 'sosNumber',
    params: [
      { name: 'phone', type: 'text', label: 'phone number', max: 20 },
      {
        name: 'password',
        type: 'text',
        label: 'device password',
        max: 12,
        default: '123456',
        aliases: ['devicePassword'],
      },
      // Traccar's callers send an index; the unit has one master number
      { name: 'index', type: 'integer', label: 'ignored', min: 0, max: 9, optional: true, hidden: true },
    ],
    answer: 'result',
    wire: wire(undefined, '*master*<password>*<phone>*'),
  },
  {
    type: 'custom',
    params: [PARAMS.text(200, 'code and data, or SMS text'), alternative],
    answer: 'result',
    wire: wire('<text>', '<text>'),
  },
];

/** Refused: text that would end the frame or the SMS envelope early, or is not printable ASCII. */
function checkText(what: string, text: string): string {
  if (!/^[\x20-\x7e]+$/.test(text) || /[()[\]$]/.test(text))
    throw new Error(`TK103 ${what} must be printable ASCII without ( ) [ ] $ or line breaks`);
  return text;
}

export function encodeTk103Command(command: ValidCommand, conn: Connection<Tk103State>): EncodedFrames {
  const id = conn.deviceId;
  if (!id) throw new Error('TK103 command: the device ID is not known yet');
  const forms = FORMS[command.type];
  if (!forms) throw new Error(`TK103 does not support the command "${command.type}"`);
  if (command.type === 'setConnection' && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(command.server as string))
    throw new Error('TK103 setConnection: "server" must be an IPv4 address such as 203.0.113.10');
  if (command.type === 'sosNumber') checkText('phone', command.phone as string);
  const sms = (command.alternative as boolean | undefined) ?? (conn.state.commaForm === true || !forms.fixed);
  if (sms) {
    if (!forms.sms) throw new Error(`TK103 ${command.type} has no SMS-text form (the device speaks the comma form)`);
    const text = checkText('command text', forms.sms(command));
    return { frames: [Buffer.from(`[begin]sms2,${text},[end]`, 'latin1')], expectsAnswer: true };
  }
  if (!forms.fixed) throw new Error(`TK103 ${command.type} exists only as SMS text`);
  const text = checkText('command text', forms.fixed(command));
  // fixed-form units answer with codes we cannot match to the command: nothing to wait for
  return { frames: [Buffer.from(`(${id}${text})`, 'latin1')], expectsAnswer: false };
}
