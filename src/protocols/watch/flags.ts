/**
 * Watch bitfields (docs/protocols/watch.md): the terminal status word of UD/AL/WT reports (8 hex digits, 4 on
 * old firmware), kept raw in `status`. The decoder names alarms from the same table; bits 0-2 are the 2G
 * watches' places for what 4G watches put in bits 17-19.
 */
import { bitNames, type AlarmTable, type FlagTable, type ProtocolFlags } from '../common/flags';

export const WATCH_ALARMS: AlarmTable = {
  title: 'Watch terminal status: alarms',
  field: 'status',
  group: 'alarms',
  bits: [
    { bit: 0, name: 'lowBattery' },
    { bit: 1, name: 'geofenceExit' },
    { bit: 2, name: 'geofenceEnter' },
    // some 2G units set it when unplugged from the charger
    { bit: 14, name: 'powerCut' },
    { bit: 16, name: 'sos' },
    { bit: 17, name: 'lowBattery' },
    { bit: 18, name: 'geofenceExit' },
    { bit: 19, name: 'geofenceEnter' },
    // the watch was taken off the wrist
    { bit: 20, name: 'removing' },
    { bit: 21, name: 'fallDown' },
    { bit: 22, name: 'fallDown' },
  ],
};

export const WATCH_STATUS: FlagTable = {
  title: 'Watch terminal status',
  field: 'status',
  group: 'status',
  bits: bitNames('', '', '', '', 'motion'),
};

/** Bit 4 of the status word: the watch is moving. */
export const MOTION_BIT = 1 << 4;

export const watchFlags: ProtocolFlags = { tables: [WATCH_ALARMS, WATCH_STATUS], otherNames: { alarms: ['general'] } };
