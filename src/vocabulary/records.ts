/**
 * Record types (`msg.payload.type` of tracker-in), the events tracker-in and tracker-geofence emit, and the
 * command types tracker-command sends: each defined once, with what it means.
 */

export const RECORD_TYPES = {
  position: 'a record with a location (valid or not: see `valid`)',
  login: 'the device identified itself',
  register: 'the device registered: a JT/T 808 terminal, or a phone app’s push-notification token',
  authentication: 'a JT/T 808 terminal authenticated',
  logout: 'the device logged out',
  heartbeat: 'the device is alive (and may report status)',
  status: 'status, power or sensor values without a location',
  alarm: 'an alarm without a location',
  result: 'the device’s answer to a command',
  network: 'cell towers or Wi-Fi access points instead of a GNSS fix',
  trip: 'a trip summary',
  media: 'a photo, audio or video file (or a piece of one)',
  data: 'opaque data passed through (transparent data, sensor payloads)',
} as const;

export type RecordType = keyof typeof RECORD_TYPES;

/** Events of tracker-in's second output (DeviceEventTracker) and the server's identity policy. */
export const DEVICE_EVENTS = {
  online: 'a device connects, or sends again after being offline',
  offline: 'its connection closes, or nothing arrives for the offline timeout',
  ignitionOn: 'the reported ignition turns on',
  ignitionOff: 'the reported ignition turns off',
  moving: 'speed reaches the moving threshold',
  stopped: 'speed stays below the moving threshold for the stop time',
  overspeed: 'faster than the limit (again only after slowing down)',
  alarm: 'an alarm name the previous record did not carry',
  rejected: 'the identity policy refused a device',
} as const;

export type DeviceEventName = keyof typeof DEVICE_EVENTS;

/** Events of tracker-geofence's second output. */
export const GEOFENCE_EVENTS = {
  geofenceEnter: 'a device entered a zone (after the dwell time, if set)',
  geofenceExit: 'a device left a zone',
} as const;

export type GeofenceEventName = keyof typeof GEOFENCE_EVENTS;

/** Command types; each protocol declares which of them it supports, with their parameters. */
export const COMMAND_TYPES = {
  engineStop: 'cut the fuel pump or ignition (relay on)',
  engineResume: 'restore the fuel pump or ignition (relay off)',
  positionSingle: 'report the position once, now',
  positionPeriodic: 'report the position every so many seconds',
  positionStop: 'stop periodic reports',
  reboot: 'restart the device',
  setTimezone: 'set the device’s clock offset',
  outputControl: 'switch a digital output',
  alarmArm: 'arm the anti-theft alarm',
  alarmDisarm: 'disarm the anti-theft alarm',
  sosNumber: 'set an SOS phone number',
  setPhonebook: 'set the phone book',
  sendText: 'show or speak a text message on the device',
  getVersion: 'ask for the firmware version',
  getInfo: 'ask for the device’s status report',
  tracking: 'temporary tracking at an interval for a duration',
  setParameters: 'set terminal parameters by ID (JT/T 808)',
  queryParameters: 'read terminal parameters (JT/T 808)',
  queryAttributes: 'read the terminal’s attributes (JT/T 808)',
  terminalControl: 'a JT/T 808 terminal control command by code',
  takePhoto: 'take a photo now',
  transparent: 'pass data through to a device behind the terminal (JT/T 808 0x8900)',
  videoStop: 'stop a video stream',
  alarmSos: 'switch the SOS alarm (its SMS or call) on or off',
  alarmBattery: 'switch the low-battery alarm on or off',
  alarmRemove: 'switch the taken-off (removal) alarm on or off',
  powerOff: 'switch the device off',
  modeDeepSleep: 'switch deep sleep on or off',
  modePowerSaving: 'switch power saving on or off',
  setConnection: 'point the device at another server address and port',
  setOdometer: 'set or reset the device’s odometer',
  deviceIdentification: 'ask the device to identify itself',
  silenceTime: 'set the periods in which a watch stays silent (class time)',
  alarmClock: 'set a watch’s alarm clocks / reminders',
  voiceMessage: 'send a voice message (AMR audio) for the device to play',
  setIndicator: 'set a watch’s reward indicator (flowers)',
  custom: 'any command text (or bytes) the device understands, sent as it is',
} as const;

export type CommandType = keyof typeof COMMAND_TYPES;

/** Other names for command types (Traccar's, older ones of ours): validation renames them. */
export const COMMAND_ALIASES: Readonly<Record<string, CommandType>> = {
  rebootDevice: 'reboot',
  message: 'sendText',
  requestPhoto: 'takePhoto',
  getDeviceStatus: 'getInfo',
};
