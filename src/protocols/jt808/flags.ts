/**
 * JT/T 808 bitfields (docs/protocols/jt808.md): the status word, the alarm word (the decoder turns its set bits
 * into `alarms` through the same table), extended vehicle signals (item 0x25), which fields a record carries,
 * and the active-safety objects (items 0x64-0x67) as named alarms.
 */
import type { TrackerMessage } from '../../types';
import {
  bitNames,
  readBits,
  type AlarmTable,
  type ExpandedFlags,
  type FlagTable,
  type ProtocolFlags,
} from '../common/flags';

const LATCHED = { latched: true };

export const JT808_STATUS: FlagTable = {
  title: 'JT/T 808 status word',
  field: 'statusFlags',
  group: 'status',
  // bits 8-9 (load) are a 2-bit field: see the `load` value
  bits: bitNames(
    'acc',
    'located',
    'southLatitude',
    'westLongitude',
    'outOfService',
    'coordinatesEncrypted',
    'forwardCollisionWarning', // 2019
    'laneDepartureWarning', // 2019
    '',
    '',
    'fuelCut',
    'circuitCut',
    'doorLocked',
    'door1Open', // front door
    'door2Open', // middle door
    'door3Open', // back door
    'door4Open', // driver's door
    'door5Open', // custom
    'gpsUsed',
    'beidouUsed',
    'glonassUsed',
    'galileoUsed',
    'moving', // 2019
  ),
};

/**
 * The alarm word, one name per meaning. Where terminals in the field use a bit differently from the standard
 * (15-17), the name is what they mean, as Traccar decodes them (16 and 17 are both tamper lines); bits 7 and 8
 * are the main power supply.
 */
export const JT808_ALARMS: AlarmTable = {
  title: 'JT/T 808 alarm word',
  field: 'alarmFlags',
  group: 'alarms',
  bits: bitNames(
    ['sos', LATCHED],
    'overspeed',
    'fatigueDriving',
    'dangerousDriving', // 2013: cleared after the reply; 2019: held (see LATCHED_IN_2013)
    'gnssFault',
    'gpsAntennaCut',
    'gnssAntennaShort',
    'lowBattery', // main power under-voltage
    'powerCut', // main power off
    'displayFault',
    'ttsFault',
    'cameraFault',
    'icCardFault', // 2013
    'overspeedWarning', // 2013
    'fatigueWarning', // 2013
    'vibration', // 2019 standard: illegal driving period
    'tampering', // 2019 standard: tyre pressure
    'tampering', // 2019 standard: right-turn blind spot (terminals in the field: a second tamper line)
    'drivingTimeExceeded',
    'parking', // overtime parking
    ['geofence', LATCHED], // in/out of an area
    ['route', LATCHED], // in/out of a route
    ['routeTime', LATCHED], // driving time on a route section too short / too long
    'routeDeviation',
    'vssFault',
    'fuelAbnormal',
    'theft',
    ['illegalIgnition', LATCHED],
    ['movement', LATCHED], // illegal displacement
    'accident', // collision warning
    'rollover',
    ['illegalDoorOpen', LATCHED], // 2013
  ),
};

/** Alarms latched by 2013 terminals only (2019 terminals hold them until the condition ends). */
const LATCHED_IN_2013 = new Set(['dangerousDriving']);

export const JT808_SIGNALS: FlagTable = {
  title: 'JT/T 808 extended vehicle signals (item 0x25)',
  field: 'vehicleSignals',
  group: 'signals',
  bits: bitNames(
    'lowBeam',
    'highBeam',
    'rightTurnSignal',
    'leftTurnSignal',
    'brake',
    'reverse',
    'fogLamp',
    'outlineLamp',
    'horn',
    'airConditioner',
    'neutral',
    'retarder',
    'abs',
    'heater',
    'clutch',
  ),
};

/** Load state in status bits 8-9: 00 empty, 01 half, 11 full (10 reserved). */
const LOAD = ['empty', 'half', 'reserved', 'full'] as const;

/** Which fields of a position are significant (fleet platforms' data-valid word), computed from the record. */
const DATA_VALID = bitNames(
  'position',
  'speed',
  'direction',
  'networkSignal',
  'satellites',
  'deviceMileage',
  'platformMileage',
  'dataFlow',
  'altitude',
  'status',
  'fuel',
  'adas',
  'drivingBehavior',
  'tirePressure',
  'blindSpot',
  'mileageCharge',
);

/** Application status. */
const APP_STATUS = bitNames('supplementary');

/** ADAS alarm types (item 0x64, JT/T 1078 / T/JSATL12). */
export const ADAS_TYPES: Record<number, string> = {
  1: 'forwardCollision',
  2: 'laneDeparture',
  3: 'headwayTooClose',
  4: 'pedestrianCollision',
  5: 'frequentLaneChange',
  6: 'roadSignOverLimit',
  7: 'obstacle',
  16: 'roadSignRecognition',
  17: 'activeCapture',
};

/** Driver-state (DSM) alarm types (item 0x65). */
export const DSM_TYPES: Record<number, string> = {
  1: 'fatigue',
  2: 'phoneCall',
  3: 'smoking',
  4: 'distraction',
  5: 'driverAbnormal',
  16: 'autoCapture',
  17: 'driverChange',
};

/** Blind-spot (BSD) alarm types (item 0x67). */
export const BSD_TYPES: Record<number, string> = {
  1: 'rearApproach',
  2: 'leftRearApproach',
  3: 'rightRearApproach',
};

/** Tyre (TPMS) event type bits (item 0x66). */
export const TPMS_EVENTS = bitNames(
  'pressureHigh',
  'pressureLow',
  'temperatureHigh',
  'sensorFault',
  'pressureUnbalanced',
  'slowLeak',
  'lowBattery',
);

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function expand(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  let found = false;
  const attrs = m.attributes ?? {};
  if (isNumber(m.statusFlags)) {
    const status = out.groups.status ?? {};
    const load = LOAD[(m.statusFlags >>> 8) & 3];
    status.loadHalf = load === 'half';
    status.loadFull = load === 'full';
    out.values.load = load;
    out.groups.status = status;
    found = true;
  }
  if (isNumber(m.alarmFlags)) {
    const is2013 = attrs.protocolVersion === 2013;
    for (const b of JT808_ALARMS.bits)
      if (b.latched || (is2013 && LATCHED_IN_2013.has(b.name))) out.latched.add(b.name);
    found = true;
  }
  if (found || isNumber(m.vehicleSignals)) {
    out.groups.valid = dataValid(m);
    const app: Record<string, boolean> = {};
    readBits(attrs.archive === true ? 1 : 0, APP_STATUS, app);
    out.groups.app = app;
  }
  return safetyAlarms(attrs, out, alarms) || found;
}

/** Which fields the record carries, as the data-valid word names them. */
function dataValid(m: TrackerMessage): Record<string, boolean> {
  const a = m.attributes ?? {};
  const present = [
    isNumber(m.lat) && isNumber(m.lon),
    isNumber(m.speed),
    isNumber(m.course),
    a.rssi !== undefined,
    isNumber(m.satellites),
    a.odometer !== undefined,
    (m as { derived?: { platformMileage?: number } }).derived?.platformMileage !== undefined,
    a.dataUsage !== undefined,
    isNumber(m.altitude),
    m.statusFlags !== undefined,
    a.fuel !== undefined,
    a.adas !== undefined,
    a.dsm !== undefined,
    a.tpms !== undefined,
    a.bsd !== undefined,
    false,
  ];
  const v: Record<string, boolean> = {};
  for (const b of DATA_VALID) v[b.name] = present[b.bit] === true;
  return v;
}

type SafetyObject = { alarmType?: number; alarmLevel?: number; events?: Array<{ eventType?: number }> } & Record<
  string,
  unknown
>;

/** ADAS / DSM / BSD / TPMS objects (items 0x64-0x67) as named alarms with their levels. */
function safetyAlarms(
  attrs: TrackerMessage['attributes'],
  out: ExpandedFlags,
  alarms: Record<string, boolean>,
): boolean {
  let found = false;
  const typed = (o: SafetyObject | undefined, prefix: string, names: Record<number, string>) => {
    if (!o || typeof o !== 'object') return;
    for (const name of Object.values(names)) alarms[prefix + cap(name)] = false;
    const name = names[Number(o.alarmType)];
    if (name) alarms[prefix + cap(name)] = true;
    if (isNumber(o.alarmLevel)) out.values[`${prefix}Level`] = o.alarmLevel;
    found = true;
  };
  typed(attrs.adas as SafetyObject | undefined, 'adas', ADAS_TYPES);
  typed(attrs.dsm as SafetyObject | undefined, 'dsm', DSM_TYPES);
  typed(attrs.bsd as SafetyObject | undefined, 'bsd', BSD_TYPES);
  const tpms = attrs.tpms as SafetyObject | undefined;
  if (tpms && typeof tpms === 'object') {
    let word = 0;
    const list = Array.isArray(tpms.events)
      ? tpms.events
      : Array.isArray(tpms.eventList)
        ? (tpms.eventList as SafetyObject[])
        : [];
    for (const e of list) if (e && isNumber(e.eventType)) word |= e.eventType;
    const t: Record<string, boolean> = {};
    readBits(word, TPMS_EVENTS, t);
    for (const [k, v] of Object.entries(t)) alarms[`tpms${cap(k)}`] = v;
    found = true;
  }
  return found;
}

const prefixed = (prefix: string, names: Iterable<string>) => [...names].map((n) => prefix + cap(n));

export const jt808Flags: ProtocolFlags = {
  tables: [JT808_STATUS, JT808_ALARMS, JT808_SIGNALS],
  expand,
  otherNames: {
    status: ['loadHalf', 'loadFull'],
    valid: DATA_VALID.map((b) => b.name),
    app: APP_STATUS.map((b) => b.name),
    alarms: [
      ...prefixed('adas', Object.values(ADAS_TYPES)),
      ...prefixed('dsm', Object.values(DSM_TYPES)),
      ...prefixed('bsd', Object.values(BSD_TYPES)),
      ...prefixed(
        'tpms',
        TPMS_EVENTS.map((b) => b.name),
      ),
    ],
  },
};
