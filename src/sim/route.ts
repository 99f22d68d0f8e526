/** Where simulated devices drive: a built-in loop, or the track points of a GPX file. */
import { readFileSync } from 'node:fs';
import { bearing, destination, distance, type LatLon } from '../geo/geo';
import type { Fix } from '../protocols/common/device';

export { bearing, distance } from '../geo/geo';

export type RoutePoint = LatLon;

/** A closed loop of `n` points on a circle of `radiusM` metres around a centre. */
export function loopRoute(centre: RoutePoint = { lat: 52.5163, lon: 13.3777 }, radiusM = 1500, n = 120): RoutePoint[] {
  return Array.from({ length: n }, (_, i) => destination(centre, (360 * i) / n, radiusM));
}

/** Track points (`<trkpt>`, else `<rtept>`/`<wpt>`) of a GPX file, in order. */
export function gpxRoute(path: string): RoutePoint[] {
  const xml = readFileSync(path, 'utf8');
  const pts: RoutePoint[] = [];
  for (const tag of ['trkpt', 'rtept', 'wpt']) {
    const re = new RegExp(`<${tag}\\b([^>]*)>`, 'g');
    for (let m = re.exec(xml); m; m = re.exec(xml)) {
      const lat = /\blat\s*=\s*["']([-+0-9.eE]+)["']/.exec(m[1]);
      const lon = /\blon\s*=\s*["']([-+0-9.eE]+)["']/.exec(m[1]);
      if (lat && lon) pts.push({ lat: Number(lat[1]), lon: Number(lon[1]) });
    }
    if (pts.length) break;
  }
  if (pts.length < 2) throw new Error(`${path}: a route needs at least two track points`);
  return pts;
}

/** Where a simulated device is on its route: the leg it drives (index of its start) and metres into it. */
export interface RouteCursor {
  routeIndex: number;
  routeOffset: number;
}

/** Moves a device one reporting interval along the route at its speed (km/h); the fix it reports there. */
export function nextFix(route: RoutePoint[], at: RouteCursor, drive: { speed: number; interval: number }): Fix {
  const speed = drive.speed;
  const a = route[at.routeIndex];
  const b = route[(at.routeIndex + 1) % route.length];
  const leg = Math.max(1, distance(a, b));
  at.routeOffset += (speed / 3.6) * (drive.interval || 1);
  while (at.routeOffset > leg) {
    at.routeOffset -= leg;
    at.routeIndex = (at.routeIndex + 1) % route.length;
  }
  const t = Math.min(1, at.routeOffset / leg);
  return {
    time: Date.now(),
    lat: a.lat + (b.lat - a.lat) * t,
    lon: a.lon + (b.lon - a.lon) * t,
    speed,
    course: bearing(a, b),
    satellites: 9,
    ignition: true,
  };
}
