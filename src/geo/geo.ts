/** Geometry on the sphere for tracker positions: distances, bearings, zones. */

export interface LatLon {
  lat: number;
  lon: number;
}

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6371008.8;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in metres (haversine). */
export function distance(a: LatLon, b: LatLon): number {
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees 0-359. */
export function bearing(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x =
    Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) -
    Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return (Math.round(deg(Math.atan2(y, x))) + 360) % 360;
}

/** The point `meters` away from `from` on `bearingDeg`. */
export function destination(from: LatLon, bearingDeg: number, meters: number): LatLon {
  const d = meters / EARTH_RADIUS_M;
  const b = rad(bearingDeg);
  const lat1 = rad(from.lat);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    rad(from.lon) +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: deg(lat2), lon: ((deg(lon2) + 540) % 360) - 180 };
}

/**
 * Whether a point is inside a polygon given as [lat, lon] vertices (ray casting in longitude/latitude).
 * A polygon wider than 180 degrees of longitude is taken to cross the antimeridian, and longitudes are
 * unwrapped to 0-360 for the test. Polygons that contain a pole are not supported (documented).
 */
export function insidePolygon(p: LatLon, polygon: ReadonlyArray<readonly [number, number]>): boolean {
  if (polygon.length < 3) return false;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const [, lon] of polygon) {
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
  }
  const wrap = maxLon - minLon > 180;
  const unwrap = (lon: number) => (wrap && lon < 0 ? lon + 360 : lon);
  const x = unwrap(p.lon);
  const y = p.lat;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const xi = unwrap(polygon[i][1]);
    const yi = polygon[i][0];
    const xj = unwrap(polygon[j][1]);
    const yj = polygon[j][0];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
