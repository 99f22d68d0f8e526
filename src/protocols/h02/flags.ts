/**
 * The H02 status word (docs/protocols/h02.md, "Status word"): 32 bits in negative logic, a bit at 0 meaning
 * its alarm is on, except the ignition bit, which is 1 when the ignition is on. The decoder names alarms from
 * the same table; bits not listed have no meaning anyone has confirmed.
 */
import { bitNames, type AlarmTable, type FlagTable, type ProtocolFlags } from '../common/flags';

export const H02_ALARMS: AlarmTable = {
  title: 'H02 status word: alarms (a bit at 0 is on)',
  field: 'status',
  group: 'alarms',
  activeLow: true,
  bits: [
    { bit: 0, name: 'vibration' },
    { bit: 1, name: 'sos' },
    { bit: 2, name: 'overspeed' },
    { bit: 18, name: 'sos' },
    { bit: 19, name: 'powerCut' },
  ],
};

export const H02_STATUS: FlagTable = {
  title: 'H02 status word',
  field: 'status',
  group: 'status',
  bits: bitNames('', '', '', '', '', '', '', '', '', '', 'acc'),
};

/** Bit 10: the ignition (positive logic, unlike the alarm bits). */
export const IGNITION_BIT = 10;

export const h02Flags: ProtocolFlags = { tables: [H02_ALARMS, H02_STATUS] };
