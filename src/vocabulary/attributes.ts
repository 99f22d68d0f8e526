/**
 * Every key a record can carry in `attributes`, defined once with its type and unit. Decoders write through the
 * `Attributes` type, so a key that is not defined here (or a value of the wrong type) does not compile; tests
 * check the same of every decoded vector at run time with `isAttributeKey`. Names follow Traccar's where it has
 * one, so flows written for Traccar read the same. Units: SI-ish and stated; "raw" means the device's own code
 * or scale, passed on unchanged.
 */

export type AttributeType =
  | 'number'
  | 'string'
  | 'boolean'
  | 'object'
  | 'bytes'
  | 'array'
  | 'number|boolean'
  | 'number|boolean|string';

export interface AttributeSpec {
  readonly type: AttributeType;
  /** Unit of a number, when it has one. */
  readonly unit?: string;
  readonly about: string;
}

// Each helper keeps its literal type, so `Attributes` knows every key's value type.
const n = (about: string, unit?: string) => ({ type: 'number' as const, unit, about });
const s = (about: string) => ({ type: 'string' as const, about });
const b = (about: string) => ({ type: 'boolean' as const, about });
const o = (about: string) => ({ type: 'object' as const, about });
const a = (about: string) => ({ type: 'array' as const, about });

export const ATTRIBUTES = {
  // power and battery
  power: n('external (vehicle) supply voltage', 'V'),
  battery: n('internal battery voltage', 'V'),
  batteryLevel: n('battery charge', '%'),
  batteryRaw: n('a battery reading in a unit the protocol does not state (H02 V3), as reported', 'raw'),
  charge: b('the battery is charging'),
  chargeVoltage: n('charging voltage, as reported', 'raw'),
  voltageLevel: n('battery level code (GT06: 0 none ... 6 full)', 'raw'),
  batteryAlarm: n('battery alarm code, as reported', 'raw'),
  batteryStatus: n('battery pack status word', 'raw'),
  batteryHealth: n('battery pack health', '%'),
  batteryCondition: s(
    'battery health as a phone reports it: good, overheat, dead, over_voltage, failure, cold, unknown',
  ),
  batteryTemp: n('battery pack temperature', '°C'),
  batteryTempMax: n('battery pack: highest sensor temperature', '°C'),
  batteryTempMin: n('battery pack: lowest sensor temperature', '°C'),
  batteryCellMax: n('battery pack: highest cell voltage', 'V'),
  batteryCellMin: n('battery pack: lowest cell voltage', 'V'),
  batteryCurrent: n('battery current', 'A'),
  batteryVersion: n('battery pack version', 'raw'),
  absoluteCapacity: n('battery pack absolute state of charge', '%'),
  relativeCapacity: n('battery pack relative state of charge', '%'),
  remainingCapacity: n('battery pack remaining capacity', 'mAh'),
  fullCapacity: n('battery pack full capacity', 'mAh'),
  current: n('battery pack current, as reported', 'raw'),
  cycleIndex: n('battery pack charge cycles'),
  currentChargeInterval: n('battery pack: current charge interval, as reported', 'raw'),
  maxChargeInterval: n('battery pack: longest charge interval, as reported', 'raw'),
  externalBatteryCharge: b('an external battery is charging'),
  externalBatteryCycles: n('external battery charge cycles'),
  externalBatteryLevel: n('external battery charge', '%'),
  sensorBattery: n('sensor battery voltage', 'V'),
  sensorBatteryLevel: n('sensor battery charge', '%'),
  sensorId: s('ID of the wireless sensor a record refers to'),
  sensorVoltage: n('voltage a wireless sensor reports', 'V'),
  // radio and positioning quality
  rssi: n('GSM signal strength, as the device scales it', 'raw'),
  sensorRssi: n('sensor signal strength', 'dBm'),
  hdop: n('horizontal dilution of precision'),
  vdop: n('vertical dilution of precision'),
  pdop: n('position dilution of precision'),
  accuracy: n('position accuracy', 'm'),
  mock: b('the location comes from a mock location provider (a phone in developer mode, a simulator)'),
  satellitesVisible: n('satellites in view (not only those used)'),
  networkTechnology: s('radio technology in use (2G, 4G...)'),
  operator: n('mobile network operator code: the MCC digits followed by the MNC digits'),
  roaming: b('the SIM is roaming'),
  gps: n('GNSS state code, as reported', 'raw'),
  alertType: n('alert type code, as reported', 'raw'),
  protocolVersion: n('protocol version the terminal speaks (JT/T 808: 2013 for 2011/2013 headers, 2019)'),
  // distance, time and motion
  odometer: n('total distance counted by the device', 'm'),
  obdOdometer: n('distance from the vehicle’s OBD', 'm'),
  tripOdometer: n('distance of the current trip', 'm'),
  distance: n('distance of a trip or since the last record', 'm'),
  hours: n('engine hours', 'ms'),
  motion: b('the device says it is moving'),
  activity: s('what a phone’s activity recognition says: still, on_foot, walking, running, on_bicycle, in_vehicle'),
  trigger: s('what made a phone report this location: motionchange, heartbeat, geofence, providerchange...'),
  steps: n('pedometer steps'),
  turnovers: n('turn-overs counted by the device (H02 LINK), as reported', 'raw'),
  drivingTime: n('driving time, as reported', 's'),
  idleTime: n('idle time of a trip', 's'),
  idlingTime: n('idling time, as reported', 's'),
  idlingCount: n('number of idling periods'),
  duration: n('duration of a trip', 's'),
  startTime: s('start of a trip, ISO-8601 UTC'),
  endTime: s('end of a trip, ISO-8601 UTC'),
  startLat: n('latitude where a trip began', '°'),
  startLon: n('longitude where a trip began', '°'),
  endLat: n('latitude where a trip ended', '°'),
  endLon: n('longitude where a trip ended', '°'),
  tripNumber: n('trip counter'),
  hardAccelerationCount: n('harsh accelerations counted'),
  hardDecelerationCount: n('harsh decelerations counted'),
  hardCorneringCount: n('harsh corners counted'),
  gSensor: s('accelerometer samples, "[x,y,z,...]"'),
  tilt: s('tilt angles, "[x,y,z]"'),
  collision: n('collision severity, as reported', 'g'),
  axisX: n('accelerometer X axis', 'mG'),
  axisY: n('accelerometer Y axis', 'mG'),
  axisZ: n('accelerometer Z axis', 'mG'),
  deviceTime: s('the device’s own clock, ISO-8601 UTC'),
  timezone: s('time zone text, as reported'),
  timezoneOffset: n('the device’s clock offset from UTC announced at login', 'min'),
  clock: n('clock source code, as reported', 'raw'),
  // vehicle
  blocked: b('engine / fuel cut (relay) active'),
  armed: b('anti-theft armed'),
  door: b('a door is open'),
  cover: b('the device cover is open'),
  tamper: b('tamper input active'),
  string: b('string (belt) sensor closed'),
  input: n('digital inputs as a bitfield', 'raw'),
  output: n('digital outputs as a bitfield', 'raw'),
  ioStatus: n('I/O status word', 'raw'),
  extendedFlags: n('extended status flags', 'raw'),
  status: n('a status word or code, as reported', 'raw'),
  engineStatus: n('engine status code', 'raw'),
  otherStatus: n('other status word', 'raw'),
  startupStatus: n('start-up status code', 'raw'),
  mode: n('working mode code', 'raw'),
  uploadMode: n('upload mode code', 'raw'),
  bootReason: n('why the device restarted, as reported', 'raw'),
  sleepMode: n('sleep mode code, as reported', 'raw'),
  dataMode: n('data mode code (home or roaming network, parked or moving), as reported', 'raw'),
  usbConnected: b('a USB cable is connected'),
  uptime: n('time since the device started, as reported', 'raw'),
  button: n('button code, as reported', 'raw'),
  wakeSource: n('what woke the device, as reported', 'raw'),
  rpm: n('engine speed', 'rpm'),
  engineTemp: n('engine temperature', '°C'),
  faultCount: n('diagnostic trouble codes the OBD reports'),
  milDistance: n('distance driven with the malfunction indicator lamp on', 'km'),
  hybridBatteryLevel: n('hybrid battery pack remaining life', '%'),
  obdSpeed: n('speed from the vehicle’s OBD', 'km/h'),
  tachographSpeed: n('speed from the tachograph', 'km/h'),
  throttle: n('throttle position', '%'),
  engineLoad: n('engine load', '%'),
  coolantTemp: n('engine coolant temperature', '°C'),
  intakeTemp: n('intake air temperature', '°C'),
  intakePressure: n('intake manifold pressure', 'kPa'),
  intakeFlow: n('intake air flow, as reported', 'raw'),
  airTemp: n('air temperature', '°C'),
  airPressure: n('air pressure, as reported', 'raw'),
  fuel: n('fuel level, as reported (litres or %)', 'raw'),
  fuelLevel: n('fuel level', '%'),
  fuelConsumption: n('fuel consumption, as reported', 'raw'),
  fuelUsed: n('fuel used, as reported', 'raw'),
  fuelTemp: n('fuel temperature', '°C'),
  tripFuel: n('fuel used on this trip, as reported', 'raw'),
  oil: n('oil level or pressure, as reported', 'raw'),
  oilLevel: n('oil level, as reported', 'raw'),
  oilTemp: n('engine oil temperature', '°C'),
  oilPressure: n('engine oil pressure, as reported', 'raw'),
  torque: n('engine torque, as reported', 'raw'),
  catalystLevel: n('catalyst (AdBlue) level, as reported', 'raw'),
  liquidLevel: n('liquid level sensor, as reported', 'raw'),
  dtcs: s('diagnostic trouble codes, space separated'),
  vin: s('vehicle identification number'),
  calid: s('OBD calibration ID'),
  cvn: s('OBD calibration verification number (hex)'),
  plate: s('licence plate'),
  plateColor: n('licence plate colour code (JT/T 808)', 'raw'),
  controllerStatus: n('motor controller status word', 'raw'),
  controllerFault: n('motor controller fault word', 'raw'),
  storageFault: n('storage fault flags (JT/T 1078)', 'raw'),
  videoAlarm: n('video alarm flags (JT/T 1078)', 'raw'),
  videoLoss: n('channels that lost video, bitfield (JT/T 1078)', 'raw'),
  videoOcclusion: n('channels with a covered camera, bitfield (JT/T 1078)', 'raw'),
  tirePressures: a('tyre pressures, one byte each, as reported'),
  // the wearer (watches, personal trackers)
  heartRate: n('heart rate', 'bpm'),
  bloodOxygen: n('blood oxygen saturation (SpO2)', '%'),
  pressureHigh: n('blood pressure, systolic', 'mmHg'),
  pressureLow: n('blood pressure, diastolic', 'mmHg'),
  // environment sensors
  deviceTemp: n('temperature inside the device', '°C'),
  humidity: n('relative humidity', '%'),
  illuminance: n('light level', 'lx'),
  lightSensor: n('light sensor, as reported', 'raw'),
  externalTemp: n('external sensor temperature', '°C'),
  externalHumidity: n('external sensor humidity', '%'),
  externalIlluminance: n('external sensor light level', 'lx'),
  externalAirPressure: n('external sensor air pressure, as reported', 'raw'),
  externalAlarms: n('external sensor alarm flags', 'raw'),
  // identity, versions and the device itself
  imei: s('IMEI the device reports in a record'),
  iccid: s('SIM card ICCID'),
  serial: s('serial number'),
  versionFw: s('firmware version'),
  versionHw: s('hardware version'),
  manufacturer: s('manufacturer ID'),
  terminalModel: s('terminal model'),
  terminalId: s('terminal ID (as registered)'),
  terminalType: n('terminal type code (JT/T 808)', 'raw'),
  deviceType: n('device type code', 'raw'),
  province: n('province code of the registration (JT/T 808)'),
  city: n('city code of the registration (JT/T 808)'),
  authCode: s('authentication code the terminal presents (JT/T 808)'),
  dataUsage: n('mobile data used, as reported', 'raw'),
  notificationToken: s('push-notification token a phone app registered (Traccar Client), to wake it for commands'),
  // drivers, cards and tags
  driverUniqueId: s('driver ID (iButton, RFID or card)'),
  driver: s('driver name'),
  card: s('card number'),
  cardCode: s('driver card code'),
  cardAgency: s('agency that issued the driver card'),
  cardStatus: n('card status code', 'raw'),
  cardResult: n('card read result code', 'raw'),
  cardValidity: s('card validity date (BCD text)'),
  barcode: s('bar code read by the device'),
  mac: s('a MAC address the device reports'),
  tagMac: s('BLE tag MAC address'),
  tagUuid: s('BLE beacon UUID'),
  tagMajor: n('BLE beacon major'),
  tagMinor: n('BLE beacon minor'),
  tagBattery: n('BLE tag battery voltage', 'V'),
  container: s('container number'),
  // e-locks
  lockStatus: n('lock status word', 'raw'),
  lockCommand: n('lock command code', 'raw'),
  lockCard: n('card that opened the lock'),
  lockPassword: s('password used on the lock'),
  unlockResult: n('unlock result code', 'raw'),
  unlockVerification: n('unlock verification code', 'raw'),
  passwordVerification: n('password verification code', 'raw'),
  wrongPasswordCount: n('wrong passwords entered'),
  // alarms in detail
  alarmCode: n('the device’s own alarm code, when `alarms` says `general`', 'raw'),
  alarmLabel: s('alarm label (hex), to fetch the alarm’s files'),
  alarmThresholdType: n('which threshold an alarm crossed, as reported', 'raw'),
  manualAlarmId: n('ID of a manually raised alarm'),
  areaAlarm: o('area alarm: {locationType, areaId, direction}'),
  overspeedArea: o('overspeed alarm area: {locationType, areaId?}'),
  routeTime: o('route time alarm: {routeId, seconds, result}'),
  abnormalDriving: o('abnormal driving: {flags, fatigue}'),
  geofence: n('geofence number the alarm refers to'),
  adas: o('ADAS alarm details (JT/T 808 item 0x64)'),
  dsm: o('driver state alarm details (item 0x65)'),
  tpms: o('tyre pressure alarm details (item 0x66)'),
  bsd: o('blind-spot alarm details (item 0x67)'),
  event: n(
    'event code, as reported (Teltonika: the ID of the I/O element that triggered the record, 0 = periodic)',
    'raw',
  ),
  priority: n('record priority (Teltonika: 0 low, 1 high, 2 panic)', 'raw'),
  generationType: n(
    'what generated an event record (Teltonika Codec 16: 0 on exit, 1 on entrance, 2 on both, 4 hysteresis, 5 on change, 6 eventual, 7 periodical)',
    'raw',
  ),
  eventName: s(
    'an event the device names in words (a GPS103 keyword such as `acc alarm`, a command answer such as `jt`)',
  ),
  error: s('an error the device reports, as text'),
  eventData: n('event data, as reported', 'raw'),
  eventSource: n('event source code, as reported', 'raw'),
  eventFiles: s('files the device recorded for an event'),
  // commands and their answers
  result: s('a command’s answer text, or its result code as text'),
  resultCode: n('a command’s result code (JT/T 808: 0 success, 1 failure, 2 bad message, 3 unsupported)', 'raw'),
  resultText: s('meaning of `resultCode`: success, failure, unsupported...'),
  commandCode: s('code of the command this record answers (VT600)'),
  serverFlag: n('server flag echoed by a GT06 answer'),
  answerSerial: n('serial number of the platform message this answers (JT/T 808)'),
  answerMessageId: n('ID of the platform message this answers (JT/T 808)'),
  parameters: o('terminal parameters by ID (JT/T 808 0x0104)'),
  // records, data and media
  archive: b('a stored record sent late (blind area / buffer)'),
  buffered: b('a record the device held back and sends now'),
  data: s('opaque data the device sent, as text or hex'),
  dataType: n('type of opaque data (JT/T 808 0x0900: the transparent type byte)', 'raw'),
  upgradeType: n(
    'what a firmware upgrade concerned (JT/T 808 0x0108: 0 terminal, 12 IC card reader, 52 GNSS module)',
    'raw',
  ),
  dataDetails: s('opaque data details (hex)'),
  index: n('record or packet index'),
  media: { type: 'bytes' as const, about: 'a media file (photo, audio, video), as a Buffer' },
  mediaType: s('media type: image, audio, video'),
  mediaFormat: s('media format: jpeg, mp3...'),
  mediaName: s('the name the device gave a media file'),
  mediaEvent: o('what a JT/T 808 media file is: {id, type, format, event, channel} (codes as reported)'),
  mediaIds: a('IDs of stored media files'),
  // what has no name here
  params: o(
    'parameters a phone or script sent (OsmAnd / Traccar Client) that this vocabulary has no name for, under their own names: numbers, booleans or text',
  ),
} as const satisfies Record<string, AttributeSpec>;

/**
 * Numbered attribute families: `temp1`, `tag2Battery`, `io239`... The key is the prefix, a number and the
 * field's suffix ('' for families without one).
 */
export const ATTRIBUTE_FAMILIES = {
  temp: { '': n('temperature of sensor n', '°C') },
  humidity: { '': n('humidity of sensor n', '%') },
  fuel: { '': n('fuel level of sensor n, as reported', 'raw') },
  adc: { '': n('analogue input n, as reported', 'raw') },
  in: { '': b('digital input n') },
  out: { '': b('digital output n') },
  io: {
    '': {
      type: 'number|boolean|string' as const,
      about: 'I/O element n with no name in this vocabulary, as reported (long or variable-length values as hex text)',
    },
  },
  bleTemp: { '': n('temperature of BLE sensor n', '°C') },
  tempProbe: { '': n('temperature of probe n', '°C') },
  eyeTemp: { '': n('temperature of Teltonika EYE sensor n', '°C') },
  eyeRoll: { '': n('roll angle of Teltonika EYE sensor n', '°') },
  beacon: {
    Uuid: s('beacon n: iBeacon UUID (hex)'),
    Major: n('beacon n: iBeacon major'),
    Minor: n('beacon n: iBeacon minor'),
    Namespace: s('beacon n: Eddystone namespace (hex)'),
    Instance: s('beacon n: Eddystone instance (hex)'),
    Rssi: n('beacon n: signal strength', 'dBm'),
    Battery: n('beacon n: battery, as reported', 'raw'),
    Temp: n('beacon n: temperature, as reported', 'raw'),
  },
  batteryCell: { '': n('voltage of battery cell n', 'V') },
  batteryTemp: { '': n('battery pack temperature sensor n', '°C') },
  alarm: { Status: n('state of alarm input n, as reported', 'raw') },
  tag: {
    Id: s('BLE tag n: ID'),
    Mac: s('BLE tag n: MAC address'),
    Name: s('BLE tag n: name'),
    Temp: n('BLE tag n: temperature', '°C'),
    Humidity: n('BLE tag n: humidity', '%'),
    Battery: n('BLE tag n: battery voltage', 'V'),
    BatteryLevel: n('BLE tag n: battery charge', '%'),
    Rssi: n('BLE tag n: signal strength', 'dBm'),
    Status: n('BLE tag n: status code', 'raw'),
    LowBattery: b('BLE tag n: battery low'),
    Magnet: b('BLE tag n: magnet detected'),
    Motion: b('BLE tag n: moving'),
    MotionCount: n('BLE tag n: movements counted'),
    Pitch: n('BLE tag n: pitch', '°'),
    Roll: n('BLE tag n: roll', '°'),
    Data: s('BLE tag n: data (hex)'),
  },
  tire: {
    Pressure: n('tyre n: pressure', 'kPa'),
    Temp: n('tyre n: temperature', '°C'),
    Status: n('tyre n: status code', 'raw'),
    SensorId: s('tyre n: sensor ID'),
  },
  lock: {
    Id: s('lock n: ID'),
    Locked: b('lock n: locked'),
    Seal: b('lock n: seal intact'),
    Battery: n('lock n: battery', '%'),
    Card: s('lock n: card that opened it'),
  },
} as const;

type ValueOf<T extends AttributeType> = T extends 'number'
  ? number
  : T extends 'string'
    ? string
    : T extends 'boolean'
      ? boolean
      : T extends 'bytes'
        ? Buffer
        : T extends 'array'
          ? unknown[]
          : T extends 'number|boolean'
            ? number | boolean
            : T extends 'number|boolean|string'
              ? number | boolean | string
              : Record<string, unknown>;

type Families = typeof ATTRIBUTE_FAMILIES;
type FamilyKeys = {
  [P in keyof Families]: {
    [S in keyof Families[P] & string]: {
      key: `${P & string}${number}${S}`;
      value: ValueOf<Families[P][S] extends AttributeSpec ? Families[P][S]['type'] : never>;
    };
  }[keyof Families[P] & string];
}[keyof Families];

export type AttributeKey = keyof typeof ATTRIBUTES;

/** The `attributes` of a record: every key optional, each with its declared type. */
export type Attributes = { [K in AttributeKey]?: ValueOf<(typeof ATTRIBUTES)[K]['type']> } & {
  [F in FamilyKeys as F['key']]?: F['value'];
};

const FAMILY_KEY = new RegExp(
  `^(?:${Object.entries(ATTRIBUTE_FAMILIES)
    .map(([prefix, fields]) => `${prefix}[0-9]+(?:${Object.keys(fields).join('|')})`)
    .join('|')})$`,
);

/** The spec of a key (a family member gets its family's), or undefined when the vocabulary has no such key. */
export function attributeSpec(key: string): AttributeSpec | undefined {
  if (Object.hasOwn(ATTRIBUTES, key)) return ATTRIBUTES[key as AttributeKey];
  if (!FAMILY_KEY.test(key)) return undefined;
  for (const [prefix, fields] of Object.entries(ATTRIBUTE_FAMILIES)) {
    const m = new RegExp(`^${prefix}[0-9]+(.*)$`).exec(key);
    if (m && Object.hasOwn(fields, m[1])) return (fields as Record<string, AttributeSpec>)[m[1]];
  }
  return undefined;
}

export function isAttributeKey(key: string): boolean {
  return attributeSpec(key) !== undefined;
}

/** Keys whose values are numbers (for decoders that fill several numeric fields through one helper). */
export type NumericAttributeKey = {
  [K in AttributeKey]: (typeof ATTRIBUTES)[K]['type'] extends 'number' ? K : never;
}[AttributeKey];
