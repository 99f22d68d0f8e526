/**
 * Codec 8 Extended variable-length elements (docs/protocols/teltonika.md): VIN, trouble codes, the beacon list and
 * the BLE sensor lists become named attributes; any other element, or a list that does not add up, is kept as hex
 * in `io<ID>`. Each element is read within its own declared length.
 */
import { FrameTooShort, Reader } from '../common/reader';
import { trimControl } from '../common/text';
import type { TrackerMessage } from '../../types';

const VIN = new Set([256, 325]);
const TROUBLE_CODES = 281;
const BEACONS = 385;
const SENSOR_LISTS = new Set([548, 10828, 10829, 10831, 11317]);

export function readVariableElement(m: TrackerMessage, id: number, data: Buffer): void {
  const a = m.attributes;
  try {
    if (VIN.has(id)) a.vin = trimControl(data.toString('latin1'));
    else if (id === TROUBLE_CODES) a.dtcs = trimControl(data.toString('latin1').replace(/,/g, ' '));
    else if (id === BEACONS) beacons(m, new Reader(data, 1, data.length));
    else if (SENSOR_LISTS.has(id)) sensors(m, new Reader(data, 1, data.length));
    else a[`io${id}`] = data.toString('hex');
  } catch (err) {
    if (!(err instanceof FrameTooShort)) throw err;
    a[`io${id}`] = data.toString('hex');
  }
}

/** Beacons seen (after a header byte): flags, iBeacon UUID/major/minor or Eddystone namespace/instance, RSSI... */
function beacons(m: TrackerMessage, r: Reader): void {
  const a = m.attributes;
  for (let n = 1; r.remaining > 0; n++) {
    const flags = r.u8();
    if (flags >> 4) {
      a[`beacon${n}Uuid`] = r.hex(16);
      a[`beacon${n}Major`] = r.u16();
      a[`beacon${n}Minor`] = r.u16();
    } else {
      a[`beacon${n}Namespace`] = r.hex(10);
      a[`beacon${n}Instance`] = r.hex(6);
    }
    a[`beacon${n}Rssi`] = r.i8();
    if (flags & 0x02) a[`beacon${n}Battery`] = r.u16();
    if (flags & 0x04) a[`beacon${n}Temp`] = r.u16();
  }
}

/** BLE sensors (after a header byte): per sensor a length, then parameters as (ID, length, value). */
function sensors(m: TrackerMessage, r: Reader): void {
  const a = m.attributes;
  for (let n = 1; r.remaining > 0; n++) {
    const sensor = r.slice(r.u8());
    const s = new Reader(sensor, 0, sensor.length);
    while (s.remaining > 0) {
      const parameter = s.u8();
      const value = s.slice(s.u8());
      const v = new Reader(value, 0, value.length);
      switch (parameter) {
        case 0:
          a[`tag${n}Rssi`] = v.i8();
          break;
        case 1:
          a[`tag${n}Id`] = value.toString('hex');
          break;
        case 2: {
          const flags = v.u8();
          if (flags & 0x40) a[`tag${n}LowBattery`] = true;
          // the voltage byte: 10 mV steps above 2 V
          if (flags & 0x80) a[`tag${n}Battery`] = (v.u8() * 10 + 2000) / 1000;
          break;
        }
        case 5:
          a[`tag${n}Name`] = trimControl(value.toString('utf8'));
          break;
        case 6:
          a[`tag${n}Temp`] = v.i16() / 100;
          break;
        case 7:
          a[`tag${n}Humidity`] = v.u8();
          break;
        case 8:
          a[`tag${n}Magnet`] = v.u8() > 0;
          break;
        case 9:
          a[`tag${n}Motion`] = v.u8() > 0;
          break;
        case 10:
          a[`tag${n}MotionCount`] = v.u16();
          break;
        case 11:
          a[`tag${n}Pitch`] = v.i8();
          break;
        case 12:
          a[`tag${n}Roll`] = v.i16();
          break;
        case 13:
          a[`tag${n}LowBattery`] = v.u8() > 0;
          break;
        case 14:
          a[`tag${n}Battery`] = v.u16() / 1000;
          break;
        case 15:
          a[`tag${n}Mac`] = value.toString('hex');
          break;
        default:
          break;
      }
    }
  }
}
