/** GT06 alarm codes (protocol notes §6) in Traccar's alarm vocabulary. */

/** Alarm of the status-block alarm byte. */
export function alarmName(code: number): string | undefined {
  switch (code) {
    case 0x01:
      return 'sos';
    case 0x02:
      return 'powerCut';
    case 0x03:
    case 0x09:
      return 'vibration';
    case 0x04:
      return 'geofenceEnter';
    case 0x05:
      return 'geofenceExit';
    case 0x06:
      return 'overspeed';
    case 0x0e:
    case 0x0f:
    case 0x19:
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
      return 'removing';
    default:
      return undefined;
  }
}

/** Alarm carried by bits 3-5 of the terminal information byte. */
export function terminalInfoAlarm(info: number): string | undefined {
  switch ((info >> 3) & 0x07) {
    case 1:
      return 'vibration';
    case 2:
      return 'powerCut';
    case 3:
      return 'lowBattery';
    case 4:
      return 'sos';
    case 6:
      return 'geofence';
    case 7:
      return 'removing';
    default:
      return undefined;
  }
}
