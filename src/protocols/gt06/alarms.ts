/** GT06 alarm codes (docs/protocols/gt06.md) in the alarm vocabulary. */
import type { AlarmName } from '../../vocabulary';
import { INFO_ALARMS } from './flags';
import { Variant } from './variants';

/** Which model family changes the meaning of some codes. */
export interface AlarmModel {
  lw: boolean; // LW* models
  seeworld: boolean;
  vl: boolean; // VL103 family
}

/** Alarm of the status-block alarm byte (with, for some types, high bits from the language byte). */
export function alarmName(code: number, m: AlarmModel, variant: Variant): AlarmName | undefined {
  switch (code) {
    case 0x01:
      return 'sos';
    case 0x02:
      return 'powerCut';
    case 0x03:
      return 'vibration';
    case 0x04:
      return 'geofenceEnter';
    case 0x05:
      return 'geofenceExit';
    case 0x06:
      return 'overspeed';
    case 0x09:
      return variant === Variant.TRX16I ? 'geofence' : m.vl ? 'tow' : 'vibration';
    case 0x0e:
      return variant === Variant.TRX16I ? 'lowPower' : 'lowBattery';
    case 0x0f:
      return 'lowBattery';
    case 0x11:
      return 'powerOff';
    case 0x0c:
    case 0x13:
    case 0x25:
    case 0x32:
      return 'tampering';
    case 0x14:
      return 'door';
    case 0x18:
      return m.lw ? 'accident' : 'removing';
    case 0x19:
      return m.lw ? 'hardAcceleration' : 'lowBattery';
    case 0x1a:
    case 0x27:
    case 0xf1:
      return 'hardBraking';
    case 0x1b:
    case 0x2a:
    case 0x2b:
    case 0x2e:
      return 'hardCornering';
    case 0x23:
      return 'fallDown';
    case 0x26:
    case 0xf0:
      return 'hardAcceleration';
    case 0x28:
      return m.seeworld ? 'hardCornering' : m.vl ? 'powerOff' : 'hardBraking';
    case 0x29:
      return m.seeworld ? 'accident' : 'hardAcceleration';
    case 0x2c:
    case 0xf2:
      return 'accident';
    case 0x30:
      return m.vl ? 'hardBraking' : 'jamming';
    case 0x33:
      return 'lock';
    case 0x34:
      return 'unlock';
    case 0x53:
      return 'fuelLeak';
    case 0x5b:
    case 0x5c:
      return 'temperature';
    case 0xc9:
      return 'idle';
    case 0x0107:
    case 0x010b:
      return 'jamming';
    default:
      return undefined;
  }
}

/** Alarm carried by bits 3-5 of the terminal information byte. */
export function terminalInfoAlarm(info: number, variant: Variant): AlarmName | undefined {
  const code = (info >> 3) & 0x07;
  return code === 7 && variant === Variant.VXT01 ? 'overspeed' : INFO_ALARMS[code];
}

/** Event codes of the 0x95 alarm message (JC100/JC261/JC400 cameras). */
export function cameraEventAlarm(event: number, long: boolean): AlarmName | undefined {
  switch (event) {
    case 0x01:
      return long ? 'sos' : 'general';
    case 0x0e:
      return 'lowPower';
    case 0x76:
      return 'temperature';
    case 0x80:
      return 'vibration';
    case 0x87:
      return 'overspeed';
    case 0x88:
      return 'powerCut';
    case 0x90:
      return 'hardAcceleration';
    case 0x91:
      return 'hardBraking';
    case 0x92:
      return 'hardCornering';
    case 0x93:
      return 'accident';
    default:
      return undefined;
  }
}

/** Events of the 0x70 modular message's 0x34 module. */
export function modularEventAlarm(event: number): AlarmName | undefined {
  switch (event) {
    case 0x10:
      return 'door';
    case 0x12:
      return 'removing';
    case 0x14:
      return 'geofenceEnter';
    case 0x15:
      return 'geofenceExit';
    case 0x16:
      return 'temperature';
    case 0x1a:
      return 'lowBattery';
    case 0x1b:
      return 'overspeed';
    case 0x1c:
      return 'powerOn';
    case 0x1d:
      return 'powerOff';
    case 0x20:
      return 'vibration';
    case 0x21:
      return 'powerCut';
    case 0x23:
      return 'tampering';
    default:
      return undefined;
  }
}
