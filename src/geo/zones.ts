/**
 * Geofence zones (circles and polygons) read from the editor's list, from plain objects or from GeoJSON,
 * and the test of whether a point is inside one.
 */
import { distance, insidePolygon, type LatLon } from './geo';

export interface CircleZone {
  name: string;
  type: 'circle';
  lat: number;
  lon: number;
  /** metres */
  radius: number;
}

export interface PolygonZone {
  name: string;
  type: 'polygon';
  /** Outer rings as [lat, lon] vertices (several for a GeoJSON MultiPolygon). */
  rings: Array<Array<[number, number]>>;
  /** Holes: a point inside one is outside the zone. */
  holes?: Array<Array<[number, number]>>;
}

export type Zone = CircleZone | PolygonZone;

export function insideZone(p: LatLon, zone: Zone): boolean {
  if (zone.type === 'circle') return distance(p, zone) <= zone.radius;
  if (!zone.rings.some((ring) => insidePolygon(p, ring))) return false;
  return !(zone.holes ?? []).some((hole) => insidePolygon(p, hole));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown, what: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new TypeError(`${what} must be a number (got ${JSON.stringify(v)})`);
  return n;
}

function latLon(lat: unknown, lon: unknown, what: string): [number, number] {
  const la = num(lat, `${what} latitude`);
  const lo = num(lon, `${what} longitude`);
  if (la < -90 || la > 90) throw new RangeError(`${what} latitude ${la} is outside -90..90`);
  if (lo < -180 || lo > 180) throw new RangeError(`${what} longitude ${lo} is outside -180..180`);
  return [la, lo];
}

/** A vertex as [lat, lon], {lat, lon} or {latitude, longitude}. */
function vertex(v: unknown, what: string): [number, number] {
  if (Array.isArray(v)) return latLon(v[0], v[1], what);
  if (isObject(v)) return latLon(v.lat ?? v.latitude, v.lon ?? v.lng ?? v.longitude, what);
  throw new TypeError(`${what} must be [lat, lon] or {lat, lon}`);
}

/** "lat,lon lat,lon ..." or "lat lon; lat lon" text, as typed in the editor. */
function verticesFromText(text: string, what: string): Array<[number, number]> {
  const numbers = text.split(/[\s,;]+/).filter(Boolean);
  if (numbers.length % 2) throw new TypeError(`${what}: points must be latitude,longitude pairs`);
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < numbers.length; i += 2)
    pts.push(latLon(numbers[i], numbers[i + 1], `${what} point ${i / 2 + 1}`));
  return pts;
}

function ring(pts: Array<[number, number]>, what: string): Array<[number, number]> {
  const open =
    pts.length > 1 && pts[0][0] === pts[pts.length - 1][0] && pts[0][1] === pts[pts.length - 1][1]
      ? pts.slice(0, -1)
      : pts;
  if (open.length < 3) throw new RangeError(`${what}: a polygon needs at least 3 points`);
  return open;
}

/** GeoJSON positions are [lon, lat]. */
const geoRing = (coords: unknown, what: string) => {
  if (!Array.isArray(coords)) throw new TypeError(`${what}: coordinates must be an array`);
  return ring(
    coords.map((c, i) => {
      if (!Array.isArray(c)) throw new TypeError(`${what}: position ${i + 1} must be [lon, lat]`);
      return latLon(c[1], c[0], `${what} position ${i + 1}`);
    }),
    what,
  );
};

function fromGeoJsonFeature(f: Json, index: number): Zone {
  const props = isObject(f.properties) ? f.properties : {};
  const name = String(props.name ?? f.id ?? `zone ${index + 1}`);
  const g = f.geometry;
  if (!isObject(g)) throw new TypeError(`${name}: a feature needs a geometry`);
  if (g.type === 'Point') {
    const c = g.coordinates as unknown[];
    const [lat, lon] = latLon(c?.[1], c?.[0], name);
    return circle(name, lat, lon, props.radius);
  }
  const polygons =
    g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? (g.coordinates as unknown[]) : undefined;
  if (!polygons)
    throw new TypeError(
      `${name}: geometry ${String(g.type)} is not a zone (use Polygon, MultiPolygon, or Point with properties.radius)`,
    );
  const rings: PolygonZone['rings'] = [];
  const holes: NonNullable<PolygonZone['holes']> = [];
  for (const poly of polygons) {
    if (!Array.isArray(poly) || poly.length === 0) throw new TypeError(`${name}: empty polygon`);
    rings.push(geoRing(poly[0], name));
    for (const h of poly.slice(1)) holes.push(geoRing(h, `${name} hole`));
  }
  return holes.length ? { name, type: 'polygon', rings, holes } : { name, type: 'polygon', rings };
}

function circle(name: string, lat: number, lon: number, radius: unknown): CircleZone {
  const r = num(radius, `${name} radius`);
  if (r <= 0) throw new RangeError(`${name}: radius must be more than 0 metres`);
  return { name, type: 'circle', lat, lon, radius: r };
}

/** One zone from our own shape, node-red-node-geofence's shape, or the editor's row. */
function fromObject(z: Json, index: number): Zone {
  if (z.type === 'Feature') return fromGeoJsonFeature(z, index);
  const name = String(z.name ?? `zone ${index + 1}`).trim() || `zone ${index + 1}`;
  const kind = String(z.type ?? z.mode ?? (z.radius !== undefined ? 'circle' : 'polygon'));
  if (kind === 'circle') {
    const centre = isObject(z.centre) ? z.centre : isObject(z.center) ? z.center : z;
    const [lat, lon] = vertex(centre, name);
    return circle(name, lat, lon, z.radius);
  }
  if (kind === 'polygon' || kind === 'polyline') {
    const pts = z.points ?? z.vertices;
    const list =
      typeof pts === 'string'
        ? verticesFromText(pts, name)
        : Array.isArray(pts)
          ? pts.map((p, i) => vertex(p, `${name} point ${i + 1}`))
          : undefined;
    if (!list) throw new TypeError(`${name}: a polygon needs points`);
    return { name, type: 'polygon', rings: [ring(list, name)] };
  }
  throw new TypeError(`${name}: unknown zone type "${kind}" (circle or polygon)`);
}

/**
 * Zones from an array of zone objects, a GeoJSON FeatureCollection / Feature, or one zone object.
 * Throws a TypeError/RangeError naming the zone and the field that is wrong.
 */
export function parseZones(input: unknown): Zone[] {
  let list: unknown[];
  if (Array.isArray(input)) list = input;
  else if (isObject(input) && input.type === 'FeatureCollection' && Array.isArray(input.features))
    list = input.features;
  else if (isObject(input)) list = [input];
  else throw new TypeError('zones must be an array, a GeoJSON FeatureCollection or a zone object');
  const zones = list.map((z, i) => {
    if (!isObject(z)) throw new TypeError(`zone ${i + 1} must be an object`);
    return fromObject(z, i);
  });
  const seen = new Set<string>();
  for (const z of zones) {
    if (seen.has(z.name)) throw new RangeError(`two zones are named "${z.name}"`);
    seen.add(z.name);
  }
  return zones;
}

type GeoJsonRing = Array<[number, number]>;

/** A ring of [lat, lon] vertices as a closed GeoJSON ring of [lon, lat] positions. */
const toGeoRing = (ring: Array<[number, number]>): GeoJsonRing => {
  const out = ring.map(([lat, lon]) => [lon, lat] as [number, number]);
  out.push(out[0]);
  return out;
};

/**
 * Zones as a GeoJSON FeatureCollection that parseZones reads back: circles as a Point with `properties.radius`
 * (metres), polygons as Polygon or MultiPolygon with their holes (each hole under the outer ring that holds it).
 * `extra` adds properties to every feature.
 */
export function zonesToGeoJson(zones: Zone[], extra: (zone: Zone) => Record<string, unknown> = () => ({})) {
  return {
    type: 'FeatureCollection' as const,
    features: zones.map((z) => {
      if (z.type === 'circle')
        return {
          type: 'Feature' as const,
          properties: { name: z.name, radius: z.radius, ...extra(z) },
          geometry: { type: 'Point' as const, coordinates: [z.lon, z.lat] },
        };
      const polygons = z.rings.map((r) => [toGeoRing(r)]);
      for (const hole of z.holes ?? []) {
        const [lat, lon] = hole[0];
        const owner = z.rings.findIndex((r) => insidePolygon({ lat, lon }, r));
        polygons[Math.max(0, owner)].push(toGeoRing(hole));
      }
      return {
        type: 'Feature' as const,
        properties: { name: z.name, ...extra(z) },
        geometry:
          polygons.length === 1
            ? { type: 'Polygon' as const, coordinates: polygons[0] }
            : { type: 'MultiPolygon' as const, coordinates: polygons },
      };
    }),
  };
}

/** The items of a zones input, one zone each: an array as it is, a FeatureCollection's features, or one zone. */
export function zoneItems(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (isObject(input) && input.type === 'FeatureCollection' && Array.isArray(input.features)) return input.features;
  return [input];
}
