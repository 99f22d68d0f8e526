/**
 * TK103 bitfields (docs/protocols/tk103.md). The 8-character state field of a position (`01000000`) is kept as
 * one number in `status`, each character a hex digit: character 1 is bits 28-31, character 8 bits 0-3. The first
 * five characters are flags; the last three are the fuel reading. The alarm codes of BO01, BQ81 and the comma
 * form are tables too, by code: the decoder names alarms from them.
 */
import type { AlarmName } from '../../vocabulary';
import type { FlagTable, ProtocolFlags } from '../common/flags';

export const TK103_STATE: FlagTable = {
  title: 'TK103 state field (8 characters, read as hex)',
  field: 'status',
  group: 'status',
  bits: [
    // character 1: 0 = charging (the unit runs on external power), 1 = not
    { bit: 28, name: 'notCharging' },
    // character 2
    { bit: 24, name: 'ignition' },
    // character 3
    { bit: 20, name: 'input2' },
    { bit: 21, name: 'panic' },
    { bit: 22, name: 'output2' },
    { bit: 23, name: 'blocked' },
    // character 4
    { bit: 16, name: 'hs3' },
    { bit: 17, name: 'hs2' },
    { bit: 18, name: 'hs1' },
    { bit: 19, name: 'door' },
    // character 5
    { bit: 13, name: 'ls3' },
    { bit: 14, name: 'ls2' },
    { bit: 15, name: 'ls1' },
  ],
};

/** Bits of the state field the decoder also gives as attributes or top-level fields. */
export const STATE_BITS = { notCharging: 1 << 28, ignition: 1 << 24, input2: 1 << 20, output2: 1 << 22 } as const;
export const STATE_BLOCKED = 1 << 23;
export const STATE_DOOR = 1 << 19;

/** BO01 alarm digit (the vendor's list; 0, vehicle power off, is a power cut). */
export const BO01_ALARMS: Readonly<Record<string, AlarmName>> = {
  '0': 'powerCut',
  '1': 'accident',
  '2': 'sos',
  '3': 'vibration',
  '4': 'lowspeed',
  '5': 'overspeed',
  '6': 'geofenceExit',
};

/** BQ81 ("GPS Sky China" units) alarm type. */
export const BQ81_ALARMS: Readonly<Record<string, AlarmName>> = {
  '0': 'lowBattery',
  '1': 'overspeed',
  '2': 'idle',
  '3': 'hardAcceleration',
  '4': 'hardBraking',
  '5': 'temperature',
};

/** What a comma-form code says beside its position or cells: ZCxx (GPS), DW3x (GPS) and DW5x (LBS/Wi-Fi). */
export interface CodeEvent {
  alarm?: AlarmName;
  ignition?: boolean;
}

export const CODE_EVENTS: Readonly<Record<string, CodeEvent>> = Object.fromEntries(
  (
    [
      [['ZC11', 'DW31', 'DW51'], { alarm: 'movement' }],
      [['ZC12', 'DW32', 'DW52'], { alarm: 'lowBattery' }],
      [['ZC13', 'DW33', 'DW53'], { alarm: 'powerCut' }],
      [['ZC15', 'DW35', 'DW55'], { ignition: true }],
      [['ZC16', 'DW36', 'DW56'], { ignition: false }],
      [['ZC29', 'DW42', 'DW62'], { ignition: true }],
      [['ZC17', 'DW37', 'DW57'], { alarm: 'removing' }],
      [['ZC25', 'DW3E', 'DW5E'], { alarm: 'sos' }],
      [['ZC26', 'DW3F', 'DW5F'], { alarm: 'tampering' }],
      [['ZC27', 'DW40', 'DW60'], { alarm: 'lowPower' }],
    ] as Array<[string[], CodeEvent]>
  ).flatMap(([codes, event]) => codes.map((code) => [code, event])),
);

const alarmNames = [
  ...new Set([
    ...Object.values(BO01_ALARMS),
    ...Object.values(BQ81_ALARMS),
    ...Object.values(CODE_EVENTS).flatMap((e) => (e.alarm ? [e.alarm] : [])),
  ]),
];

/** Alarms come from alarm messages and codes, one report per occurrence: events, not states. */
export const tk103Flags: ProtocolFlags = {
  alarmsAreEvents: true,
  tables: [TK103_STATE],
  otherNames: { alarms: alarmNames },
};
