/**
 * Bit tables that name the flags of each protocol's raw words. Names are English camelCase and stable:
 * flows depend on them (they are listed in the tracker-flags help).
 */

export interface FlagBit {
  bit: number;
  name: string;
  /**
   * Alarms only: the terminal clears the bit itself once the platform replied (JT/T 808 table 2 "clear after
   * receiving the reply"), so only its start is an event; other alarms last until their condition ends.
   */
  latched?: boolean;
}

export interface FlagTable {
  bits: FlagBit[];
}

const table = (...names: Array<string | [string, Partial<FlagBit>]>): FlagTable => ({
  bits: names.flatMap((n, bit) =>
    n === '' ? [] : typeof n === 'string' ? [{ bit, name: n }] : [{ bit, name: n[0], ...n[1] }],
  ),
});
const LATCHED = { latched: true };

/** JT/T 808 status word (seed 001 table 1). Bits 8-9 (load) are a 2-bit field: see JT808_LOAD. */
export const JT808_STATUS = table(
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
);

/** Load state in status bits 8-9: 00 empty, 01 half, 11 full (10 reserved). */
export const JT808_LOAD: Record<number, 'empty' | 'half' | 'reserved' | 'full'> = {
  0: 'empty',
  1: 'half',
  2: 'reserved',
  3: 'full',
};

/** JT/T 808 alarm word (seed 001 table 2), with which alarms the terminal clears after the reply. */
export const JT808_ALARMS = table(
  ['sos', LATCHED],
  'overspeed',
  'fatigueDriving',
  'dangerousDriving', // 2013: danger warning, cleared after the reply; 2019: held (see JT808_ALARM_2013_LATCHED)
  'gnssFault',
  'gnssAntennaCut',
  'gnssAntennaShort',
  'lowPower', // main power under-voltage
  'powerCut', // main power off
  'displayFault',
  'ttsFault',
  'cameraFault',
  'icCardFault', // 2013
  'overspeedWarning', // 2013
  'fatigueWarning', // 2013
  'illegalDriving', // 2019
  'tirePressure', // 2019
  'rightTurnBlindSpot', // 2019
  'drivingTimeExceeded',
  'parkingOvertime',
  ['geofence', LATCHED], // in/out of an area
  ['route', LATCHED], // in/out of a route
  ['routeTime', LATCHED], // driving time on a route too short / too long
  'routeDeviation',
  'vssFault',
  'fuelAbnormal',
  'theft',
  ['illegalIgnition', LATCHED],
  ['illegalDisplacement', LATCHED],
  'collision',
  'rollover',
  ['illegalDoorOpen', LATCHED], // 2013
);

/** Bits latched in 2013 terminals only (2019 holds them until the condition ends). */
export const JT808_ALARM_2013_LATCHED = new Set(['dangerousDriving']);

/** JT/T 808 extended vehicle signal status, additional item 0x25 (seed 001 table 3). */
export const JT808_SIGNALS = table(
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
);

/** Which fields of a position are significant (seed 001 table 4), computed from the record. */
export const DATA_VALID = table(
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

/** Application status (seed 001 table 9). */
export const APP_STATUS = table('supplementary');

/** ADAS alarm types (item 0x64, seed 001 table 5; JT/T 1078 / T/JSATL12). */
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

/** Driver-state (DSM) alarm types (item 0x65, table 6). */
export const DSM_TYPES: Record<number, string> = {
  1: 'fatigue',
  2: 'phoneCall',
  3: 'smoking',
  4: 'distraction',
  5: 'driverAbnormal',
  16: 'autoCapture',
  17: 'driverChange',
};

/** Blind-spot (BSD) alarm types (item 0x67, table 8). */
export const BSD_TYPES: Record<number, string> = {
  1: 'rearApproach',
  2: 'leftRearApproach',
  3: 'rightRearApproach',
};

/** Tyre (TPMS) event type bits (item 0x66, table 7). */
export const TPMS_EVENTS = table(
  'pressureHigh',
  'pressureLow',
  'temperatureHigh',
  'sensorFault',
  'pressureUnbalanced',
  'slowLeak',
  'lowBattery',
);

/** GT06 terminal information byte (bits 3-5 are a one-of alarm: GT06_INFO_ALARMS). */
export const GT06_TERMINAL_INFO = table('armed', 'acc', 'charging', '', '', '', 'gpsTracking', 'oilCut');

export const GT06_INFO_ALARMS: Record<number, string> = {
  1: 'vibration',
  2: 'powerCut',
  3: 'lowBattery',
  4: 'sos',
  6: 'geofence',
  7: 'removing',
};

export const GT06_VOLTAGE_LEVELS = ['none', 'extremelyLow', 'veryLow', 'low', 'medium', 'high', 'full'];
export const GT06_GSM_LEVELS = ['none', 'extremelyWeak', 'weak', 'good', 'strong'];

/** JT701 (long JT600 record) status word. Alarm bits go to `alarms`, the others to `status`. */
export const JT701_STATUS = table('', '', '', '', '', 'ackRequested', '', 'locked');
export const JT701_ALARMS = table(
  '',
  'geofenceEnter',
  'geofenceExit',
  'powerCut',
  'vibration',
  '',
  '',
  '',
  '',
  '',
  '',
  'lowBattery',
  '',
  '',
  'fault',
);

/** JT600 short v2 status, bytes S0..S3 read as one 32-bit word (S0 highest). */
export const JT600_V2_STATUS = {
  bits: [
    { bit: 24, name: 'acc' },
    { bit: 30, name: 'doorOpen' },
    { bit: 16, name: 'charging' },
    { bit: 17, name: 'blocked' },
  ],
};
export const JT600_V2_ALARMS = {
  bits: [
    { bit: 18, name: 'sos' },
    { bit: 19, name: 'gpsAntennaCut' },
    { bit: 20, name: 'overspeed' },
    { bit: 10, name: 'fatigueDriving' },
    { bit: 11, name: 'tow' },
  ],
};
/** JT600 short v3 (GP6000F) 24-bit status: bit 0 is ACC. */
export const JT600_V3_STATUS = table('acc');

/** VT600 system status (iStartek document). */
export const VT600_SYSTEM = table(
  'server1Connected',
  'server2Connected',
  'gpsValid',
  'externalPower',
  'gpsAntennaConnected',
  'stopped',
  'armed',
  'driverLoggedIn',
  'removed',
);
/** VT600 digital inputs and outputs (input 2 is usually wired to ignition, input 3 to a door). */
export const VT600_INPUTS = table('input1', 'input2', 'input3', 'input4', 'input5', 'input6', 'input7', 'input8');
export const VT600_OUTPUTS = table(
  'output1',
  'output2',
  'output3',
  'output4',
  'output5',
  'output6',
  'output7',
  'output8',
);
