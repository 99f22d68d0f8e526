/** Where simulated devices drive: a built-in loop, or the track points of a GPX file. */
import { readFileSync } from 'node:fs';
import { destination, type LatLon } from '../geo/geo';

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
