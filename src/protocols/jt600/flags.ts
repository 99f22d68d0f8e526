/**
 * JT600 bitfields (docs/protocols/jt600.md), by the record layout that carried them (`statusFormat`): the JT701
 * status word, the short v2 status bytes read as one word, the v3 status. The decoder names alarms from the same
 * tables (so v2 bit 20 is overspeed only, where Traccar also says gpsAntennaCut).
 */
import { bitNames, type AlarmTable, type FlagTable, type ProtocolFlags } from '../common/flags';

/** JT701 (long record) status word: alarm bits go to `alarms`, the others to `status`. */
export const JT701_STATUS: FlagTable = {
  title: 'JT701 status word',
  field: 'status',
  group: 'status',
  when: { statusFormat: 'jt701' },
  bits: bitNames('', '', '', '', '', 'ackRequested', '', 'locked'),
};

export const JT701_ALARMS: AlarmTable = {
  title: 'JT701 status word: alarms',
  field: 'status',
  group: 'alarms',
  when: { statusFormat: 'jt701' },
  bits: bitNames(
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
  ),
};

/** JT600 short v2 status, bytes S0..S3 read as one 32-bit word (S0 highest). */
export const JT600_V2_STATUS: FlagTable = {
  title: 'JT600 v2 status',
  field: 'status',
  group: 'status',
  when: { statusFormat: 'v2' },
  bits: [
    { bit: 24, name: 'acc' },
    { bit: 30, name: 'doorOpen' },
    { bit: 16, name: 'charging' },
    { bit: 17, name: 'blocked' },
  ],
};

export const JT600_V2_ALARMS: AlarmTable = {
  title: 'JT600 v2 status: alarms',
  field: 'status',
  group: 'alarms',
  when: { statusFormat: 'v2' },
  bits: [
    { bit: 18, name: 'sos' },
    { bit: 19, name: 'gpsAntennaCut' },
    { bit: 20, name: 'overspeed' },
    { bit: 10, name: 'fatigueDriving' },
    { bit: 11, name: 'tow' },
  ],
};

/** JT600 short v3 (GP6000F) 24-bit status: bit 0 is ACC. */
export const JT600_V3_STATUS: FlagTable = {
  title: 'JT600 v3 status',
  field: 'status',
  group: 'status',
  when: { statusFormat: 'v3' },
  bits: bitNames('acc'),
};

export const jt600Flags: ProtocolFlags = {
  tables: [JT701_STATUS, JT701_ALARMS, JT600_V2_STATUS, JT600_V2_ALARMS, JT600_V3_STATUS],
};
