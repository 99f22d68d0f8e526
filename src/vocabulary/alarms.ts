/**
 * Every alarm name a record can carry in `alarms`, defined once. Decoders, flag tables, device events and the
 * docs take their names from here (the `AlarmName` type rejects any other string at compile time). The names
 * follow Traccar's alarm vocabulary where it has one, so flows written for Traccar read the same; the
 * JT/T 808 standard's alarm bits that Traccar folds together or leaves out have their own names.
 */

export const ALARMS = {
  // Traccar's vocabulary
  general: 'an alarm the device does not name further (its code is in attributes)',
  sos: 'panic / SOS button',
  vibration: 'vibration or shock while armed',
  movement: 'moved while it should be still',
  lowspeed: 'slower than a set minimum',
  overspeed: 'faster than a set limit (the device’s own)',
  fallDown: 'a fall detected (personal trackers, watches)',
  lowPower: 'external power low',
  lowBattery: 'battery low (the internal battery, or the vehicle battery on JT/T 808 terminals)',
  fault: 'a device fault',
  powerOff: 'the device was switched off',
  powerOn: 'the device was switched on',
  door: 'door opened',
  lock: 'locked',
  unlock: 'unlocked',
  geofence: 'an area alarm without a direction',
  geofenceEnter: 'entered an area set on the device',
  geofenceExit: 'left an area set on the device',
  gpsAntennaCut: 'GNSS antenna disconnected',
  accident: 'a collision or crash',
  tow: 'towed (moved with the ignition off)',
  idle: 'idling too long',
  highRpm: 'engine speed too high',
  hardAcceleration: 'harsh acceleration',
  hardBraking: 'harsh braking',
  hardCornering: 'harsh cornering',
  laneChange: 'frequent or unsafe lane changes',
  fatigueDriving: 'driving too long without a rest',
  powerCut: 'external power cut',
  powerRestored: 'external power back',
  jamming: 'GSM or GNSS jamming',
  temperature: 'temperature out of range',
  parking: 'parked too long, or moved while parked',
  bonnet: 'bonnet opened',
  footBrake: 'foot brake',
  fuelLeak: 'fuel level dropped suddenly',
  tampering: 'the device or its seal was tampered with',
  removing: 'the device was removed (strap cut, taken off, unplugged)',
  // JT/T 808 alarm word bits with no Traccar name
  dangerousDriving: 'dangerous driving warning (JT/T 808)',
  gnssFault: 'GNSS module fault (JT/T 808)',
  gnssAntennaShort: 'GNSS antenna short circuit (JT/T 808)',
  displayFault: 'terminal display fault (JT/T 808)',
  ttsFault: 'text-to-speech module fault (JT/T 808)',
  cameraFault: 'camera fault (JT/T 808)',
  icCardFault: 'driver IC card module fault (JT/T 808-2013)',
  overspeedWarning: 'approaching the speed limit (JT/T 808-2013)',
  fatigueWarning: 'approaching the driving time limit (JT/T 808-2013)',
  illegalDriving: 'driving in a forbidden period (JT/T 808-2019)',
  tirePressure: 'tyre pressure (JT/T 808-2019)',
  rightTurnBlindSpot: 'right-turn blind spot (JT/T 808-2019)',
  drivingTimeExceeded: 'daily driving time exceeded (JT/T 808)',
  parkingOvertime: 'stopped too long (JT/T 808)',
  route: 'entered or left a route (JT/T 808)',
  routeTime: 'time on a route section too short or too long (JT/T 808)',
  routeDeviation: 'left the planned route (JT/T 808)',
  vssFault: 'vehicle speed sensor fault (JT/T 808)',
  fuelAbnormal: 'abnormal fuel level (JT/T 808)',
  theft: 'vehicle theft (JT/T 808)',
  illegalIgnition: 'ignition without authorisation (JT/T 808)',
  illegalDisplacement: 'moved without authorisation (JT/T 808)',
  collision: 'collision warning (JT/T 808)',
  rollover: 'rollover warning (JT/T 808)',
  illegalDoorOpen: 'door opened without authorisation (JT/T 808-2013)',
  // active-safety extensions (JT/T 1078 / T/JSATL12 items 0x64-0x67)
  adas: 'an advanced driver assistance alarm (details in attributes.adas)',
  dsm: 'a driver state monitoring alarm (details in attributes.dsm)',
  tpms: 'a tyre pressure monitoring alarm (details in attributes.tpms)',
  bsd: 'a blind-spot alarm (details in attributes.bsd)',
} as const;

export type AlarmName = keyof typeof ALARMS;

export function isAlarmName(name: unknown): name is AlarmName {
  return typeof name === 'string' && Object.hasOwn(ALARMS, name);
}
