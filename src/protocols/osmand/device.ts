/**
 * A phone running Traccar Client 9, as tracker-sim plays it (see ../common/device.ts): JSON POSTs of the
 * background-geolocation record (speed in m/s, battery as a fraction), answered 200 with an empty body.
 * Written from the app's request format, independently of the decoder.
 */
import type { Fix, HttpDeviceProtocol, HttpExchange } from '../common/device';

function post(fix: Fix, deviceId: string, event: string, extra: Record<string, unknown> = {}): HttpExchange {
  const location = {
    timestamp: new Date(fix.time).toISOString(),
    coords: {
      latitude: Number(fix.lat.toFixed(7)),
      longitude: Number(fix.lon.toFixed(7)),
      accuracy: 5,
      speed: Number((fix.speed / 3.6).toFixed(2)),
      heading: Math.round(fix.course),
      altitude: 35,
    },
    is_moving: fix.speed > 0,
    odometer: 0,
    event,
    battery: { level: 0.8, is_charging: false },
    activity: { type: fix.speed > 0 ? 'in_vehicle' : 'still' },
    extras: {},
    ...extra,
  };
  return {
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ location, device_id: deviceId }),
    expectStatus: 200,
  };
}

export const osmandDevice: HttpDeviceProtocol = {
  name: 'osmand',
  http: true,
  // the Flutter app pre-fills a random 8-digit identifier
  deviceId: (index) => String(40000000 + index),
  position: (fix, id) => post(fix, id, 'motionchange'),
  heartbeat: (fix, id) => post({ ...fix, speed: 0 }, id, 'heartbeat'),
  alarm: (fix, id) => post(fix, id, 'motionchange', { alarm: 'sos' }),
};
