/**
 * GT06 bitfields (docs/protocols/gt06.md): the terminal information byte of status blocks, whose bits 3-5 are
 * a one-of alarm field (the decoder names that alarm through the same table), and the voltage and GSM levels.
 */
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';
import { bitNames, type ExpandedFlags, type FlagTable, type ProtocolFlags } from '../common/flags';

export const GT06_TERMINAL_INFO: FlagTable = {
  title: 'GT06 terminal information byte',
  field: 'terminalInfo',
  group: 'status',
  // bits 3-5 are the alarm field: INFO_ALARMS
  bits: bitNames('armed', 'acc', 'charging', '', '', '', 'gpsTracking', 'oilCut'),
};

/** The alarm of terminal-info bits 3-5 (VXT01 firmware says overspeed where others say removing). */
export const INFO_ALARMS: Readonly<Record<number, AlarmName>> = {
  1: 'vibration',
  2: 'powerCut',
  3: 'lowBattery',
  4: 'sos',
  6: 'geofence',
  7: 'removing',
};

const VOLTAGE_LEVELS = ['none', 'extremelyLow', 'veryLow', 'low', 'medium', 'high', 'full'];
const GSM_LEVELS = ['none', 'extremelyWeak', 'weak', 'good', 'strong'];

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function expand(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  if (!isNumber(m.terminalInfo)) return false;
  for (const name of Object.values(INFO_ALARMS)) alarms[name] = false;
  const alarm = INFO_ALARMS[(m.terminalInfo >> 3) & 7];
  if (alarm) alarms[alarm] = true;
  const a = m.attributes ?? {};
  if (isNumber(a.voltageLevel) && VOLTAGE_LEVELS[a.voltageLevel]) out.values.voltage = VOLTAGE_LEVELS[a.voltageLevel];
  if (isNumber(a.rssi) && GSM_LEVELS[a.rssi]) out.values.gsm = GSM_LEVELS[a.rssi];
  return true;
}

export const gt06Flags: ProtocolFlags = {
  // an alarm packet (and the alarm field of a status block) reports one occurrence
  alarmsAreEvents: true,
  tables: [GT06_TERMINAL_INFO],
  expand,
  otherNames: { alarms: Object.values(INFO_ALARMS) },
};
