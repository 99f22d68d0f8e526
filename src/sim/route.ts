/** Where simulated devices drive: a built-in loop, or the track points of a GPX file. */
import { readFileSync } from 'node:fs';

export interface RoutePoint {
  lat: number;
  lon: number;
}

const EARTH_RADIUS_M = 6371008.8;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** A closed loop of `n` points on a circle of `radiusM` metres around a centre. */
export function loopRoute(centre: RoutePoint = { lat: 52.5163, lon: 13.3777 }, radiusM = 1500, n = 120): RoutePoint[] {
  const pts: RoutePoint[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const dLat = (radiusM * Math.cos(a)) / EARTH_RADIUS_M;
    const dLon = (radiusM * Math.sin(a)) / (EARTH_RADIUS_M * Math.cos(rad(centre.lat)));
    pts.push({ lat: centre.lat + deg(dLat), lon: centre.lon + deg(dLon) });
  }
  return pts;
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

/** Initial bearing from a to b, degrees 0-359. */
export function bearing(a: RoutePoint, b: RoutePoint): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return (Math.round(deg(Math.atan2(y, x))) + 360) % 360;
}

/** Great-circle distance in metres. */
export function distance(a: RoutePoint, b: RoutePoint): number {
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
