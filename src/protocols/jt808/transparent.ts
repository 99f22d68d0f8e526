/** 0x0900 transparent uplink (docs/protocols/jt808.md): vendor payloads by their type byte. */
import { setDeviceTime } from '../common/record';
import { addAlarm, newMessage } from '../codec';
import { trimControl } from '../common/text';
import { isoTime } from '../common/time';
import type { Reader } from '../common/reader';
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';
import { clockOffset, readBcdTime, readCoordinates, readObdRt, type LocationContext } from './location';

/** The record a transparent message carries, or undefined when its type is not decoded. */
export function decodeTransparent(r: Reader, c: LocationContext): TrackerMessage | undefined {
  const msg = newMessage(c.conn, 'status');
  const a = msg.attributes;
  const type = r.u8();
  const tz = clockOffset(c.conn);
  const setTime = (ms: number) => {
    setDeviceTime(msg, ms);
  };
  switch (type) {
    case 0x40: {
      const text = trimControl(r.ascii(r.remaining));
      if (text.startsWith('GTSL')) {
        const values = text.split('|');
        if (values.length > 4) a.driverUniqueId = values[4];
      } else a.data = text;
      return Object.keys(a).length ? msg : undefined;
    }
    case 0x41:
      readObdRt(trimControl(r.ascii(r.remaining)), msg);
      return msg;
    case 0xf0: {
      const time = readBcdTime(r, tz);
      setTime(time);
      if (r.u8() > 0) a.archive = true;
      r.u8(); // vehicle type
      const subtype = r.u8();
      if (!decodeBsjVehicleData(subtype, r, msg, c)) return undefined;
      setTime(time);
      return msg;
    }
    case 0xff: {
      msg.valid = true;
      setTime(readBcdTime(r, tz));
      msg.lat = r.i32() / 1e6;
      msg.lon = r.i32() / 1e6;
      msg.altitude = r.i16();
      msg.speed = r.u16() / 10;
      msg.course = r.u16();
      return msg;
    }
    case 0xf3:
      while (r.remaining > 4) {
        const id = r.u16();
        const length = r.u16();
        const end = Math.min(r.stop, r.pos + length);
        if (id === 0x0002) a.collision = r.u16() / 256 / 100;
        else if (id === 0x0006) {
          const t = readBcdTime(r, tz);
          setTime(t);
          a.deviceTime = isoTime(t);
        }
        r.pos = end;
      }
      return msg;
    case 0x53:
    case 0x54: {
      readCoordinates(r, msg, c.model);
      msg.altitude = r.i16();
      msg.speed = r.u16() / 10;
      msg.course = r.u16();
      setTime(readBcdTime(r, tz));
      if (type === 0x53) {
        r.u8(); // nodes across all packages
        while (r.remaining > 0) {
          const i = r.u8() + 1;
          a[`tag${i}Mac`] = r.hex(6);
          a[`tag${i}Rssi`] = r.i8();
          a[`tag${i}Data`] = r.hex(r.u8());
        }
      } else {
        while (r.remaining > 0) {
          const mask = r.u16();
          r.skip(6); // sample time
          if (mask & 1) a.lightSensor = r.u16();
          if (mask & 2) {
            a.deviceTemp = r.i16() / 10;
            a.humidity = r.i16() / 10;
          }
          if (mask & 4) a.temp3 = r.i16() / 10;
          if (mask & 8) r.skip(6);
          if (mask & 0x10) a.airPressure = r.u16();
        }
      }
      return msg;
    }
    default:
      return undefined;
  }
}

/** 0xF0 (BSJ): OBD values, trouble codes, events, trips, VIN. */
function decodeBsjVehicleData(subtype: number, r: Reader, msg: TrackerMessage, c: LocationContext): boolean {
  const a = msg.attributes;
  switch (subtype) {
    case 0x01: {
      const count = r.u8();
      for (let i = 0; i < count; i++) {
        const id = r.u16();
        const length = r.u8();
        const end = r.pos + length;
        switch (id) {
          case 0x0102:
          case 0x0528:
          case 0x0546:
            a.odometer = r.u32() * 100;
            break;
          case 0x0103:
            a.fuel = r.u32() / 100;
            break;
          case 0x0111:
            a.fuelTemp = r.u8() - 40;
            break;
          case 0x012e:
            a.oilLevel = r.u16() / 10;
            break;
          case 0x052a:
            a.fuel = r.u16() / 100;
            break;
          case 0x0105:
          case 0x052c:
            a.fuelUsed = r.u32() / 100;
            break;
          case 0x014a:
          case 0x0537:
          case 0x0538:
          case 0x0539:
            a.fuelConsumption = r.u16() / 100;
            break;
          case 0x052b:
            a.fuel = r.u8();
            break;
          case 0x052d:
            a.coolantTemp = r.u8() - 40;
            break;
          case 0x052e:
            a.airTemp = r.u8() - 40;
            break;
          case 0x0530:
            a.power = r.u16() / 1000;
            break;
          case 0x0535:
            a.obdSpeed = r.u16() / 10;
            break;
          case 0x0536:
            a.rpm = r.u16();
            break;
          case 0x053d:
            a.intakePressure = r.u16() / 10;
            break;
          case 0x0544:
            a.liquidLevel = r.u8();
            break;
          case 0x0547:
          case 0x0548:
            a.throttle = r.u8();
            break;
          case 0xfeec:
            a.vin = r.ascii(length);
            break;
          default:
            if (length === 1) a[`io${id}`] = r.u8();
            else if (length === 2) a[`io${id}`] = r.u16();
            else if (length === 4) a[`io${id}`] = r.u32();
        }
        r.pos = end;
      }
      readCoordinates(r, msg, c.model);
      return true;
    }
    case 0x02: {
      const codes: string[] = [];
      const systems = r.u16();
      for (let i = 0; i < systems; i++) {
        r.u32(); // system id
        const n = r.u16();
        for (let j = 0; j < n; j++) {
          r.u32(); // dtc
          r.u32(); // status
          codes.push(trimControl(r.ascii(r.u16())));
        }
      }
      a.dtcs = codes.join(' ');
      readCoordinates(r, msg, c.model);
      return true;
    }
    case 0x03: {
      const count = r.u8();
      const names: Record<number, AlarmName> = {
        0x01: 'powerRestored',
        0x02: 'powerCut',
        0x0e: 'idle',
        0x1a: 'hardAcceleration',
        0x1b: 'hardBraking',
        0x1c: 'hardCornering',
        0x1d: 'laneChange',
        0x1e: 'laneChange',
        0x1f: 'laneChange',
        0x23: 'fatigueDriving',
        0x25: 'overspeed',
        0x26: 'accident',
        0x27: 'accident',
        0x28: 'accident',
        0x31: 'door',
        0x32: 'door',
      };
      for (let i = 0; i < count; i++) {
        addAlarm(msg, names[r.u8()]);
        r.skip(r.u8());
      }
      readCoordinates(r, msg, c.model);
      return true;
    }
    case 0x04: {
      const property = r.u8();
      a.tripNumber = r.u32();
      r.skip(6); // start time
      if (property === 0x02) {
        r.skip(6 + 8 + 8 + 1); // end time, start and end location, flags
        a.idlingCount = r.u16();
        a.idlingTime = r.u16();
        a.tripOdometer = r.u16() * 100;
        a.tripFuel = r.u16() / 100;
      }
      return true;
    }
    case 0x0b:
      if (r.u8() > 0) a.vin = r.ascii(17);
      return true;
    case 0x15: {
      const event = r.i32();
      const names: Record<number, AlarmName> = {
        51: 'hardAcceleration',
        52: 'hardBraking',
        53: 'hardCornering',
        54: 'laneChange',
        56: 'accident',
      };
      if (names[event]) addAlarm(msg, names[event]);
      else a.event = event;
      return true;
    }
    default:
      return false;
  }
}
