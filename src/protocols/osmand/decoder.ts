/**
 * OsmAnd / Traccar Client requests (docs/protocols/osmand.md): parameters in the query string and in a form
 * body (OsmAnd, the native Traccar Clients, the current Traccar Client, scripts), the JSON body of Traccar
 * Client 9 (one location object or an array of them, under `location`, with `device_id`), and the flat JSON
 * array of the Traccar Client SDK's JSON mode. Every request names its device; the answer is 200, or 400
 * for a request without a usable device ID or with a body that cannot be read.
 */
import { reportError, type Connection, type DecodeOutput, type HttpRequest, type HttpVerdict } from '../codec';
import {
  addDeviceId,
  applyNumber,
  applyAttribute,
  applyParam,
  type Draft,
  finish,
  newDraft,
  type RequestContext,
  setAlarm,
  setCourse,
  setTime,
  toFlag,
  toNumber,
  toText,
  type Value,
} from './fields';

/** Requests keep nothing on the connection: each names its device. */
export type OsmandState = Record<string, never>;

/**
 * Device IDs a phone may use: 1 to 64 letters (any script), digits, `. _ : @ + -`, and single spaces inside
 * (users type names like "Anna phone"). Anything else is answered 400 and never reaches a record or a log.
 */
export const OSMAND_DEVICE_ID = /^(?=.{1,64}$)[\p{L}\p{N}._:@+-]+(?: [\p{L}\p{N}._:@+-]+)*$/u;

export function decodeOsmandRequest(
  request: HttpRequest,
  conn: Connection<OsmandState>,
  out: DecodeOutput,
): HttpVerdict {
  conn.deviceId = undefined; // the previous request's device says nothing about this one
  const ctx: RequestContext = { conn, out, ids: new Set() };
  const firstError = out.errors.length;
  const drafts: Draft[] = [];
  const query = new URLSearchParams(queryOf(request.url));
  // the server URL a user typed may carry the token, whatever the app puts in the body
  ctx.credential = query.get('token') ?? undefined;
  const json = isJson(request);
  if (json) {
    if (!decodeJson(request.body, ctx, drafts)) return { status: 400, commands: false };
  } else {
    const d = newDraft(ctx);
    for (const [name, value] of query) applyParam(d, name, value, ctx);
    // A form body (the current Traccar Client posts one): Traccar reads it when the URL has no query; here
    // both count, so that a token or a speed unit may sit in the URL the user typed.
    if (request.body.length)
      for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) applyParam(d, name, value, ctx);
    drafts.push(d);
  }
  const auth = request.headers.authorization;
  const credential = ctx.credential ?? authorization(typeof auth === 'string' ? auth : undefined);
  // as Traccar: a queued command goes back in the answer to a query or form request, never to a JSON one
  const verdict = (status: number): HttpVerdict => {
    const v: HttpVerdict = { status, commands: !json };
    if (credential !== undefined) v.credential = credential;
    return v;
  };

  if (ctx.ids.size === 0) {
    reportError(out, conn, 'not-identified', 'request without a device ID (id or deviceid, device_id in JSON)');
    return verdict(400);
  }
  if (ctx.ids.size > 1) {
    reportError(out, conn, 'malformed', `request names ${ctx.ids.size} different device IDs: one per request`);
    return verdict(400);
  }
  const [id] = ctx.ids;
  if (!OSMAND_DEVICE_ID.test(id)) {
    reportError(out, conn, 'malformed', 'device ID is not 1-64 letters, digits, single inner spaces or . _ : @ + -');
    return verdict(400);
  }
  conn.deviceId = id;
  for (let i = firstError; i < out.errors.length; i++) out.errors[i].deviceId ??= id;
  for (const d of drafts) {
    const m = finish(d, ctx);
    m.deviceId = id;
    out.messages.push(m);
  }
  return verdict(200);
}

/** The query of a request target, without its fragment. */
function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}

/**
 * JSON when the content type says so (Traccar checks only the prefix), or when a body without a content
 * type (or a text/plain one, as some scripts send) starts like a JSON object or array.
 */
function isJson(request: HttpRequest): boolean {
  const header = request.headers['content-type'];
  const type = (typeof header === 'string' ? header : '').trim().toLowerCase();
  if (type.startsWith('application/json')) return true;
  if (type !== '' && !type.startsWith('text/plain')) return false;
  const body = request.body;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

/** `Authorization: Bearer <token>`, or the password of `Basic` credentials (an `http://id:secret@host` URL). */
function authorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function isObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON body: false (answer 400) when it cannot be read at all. */
function decodeJson(body: Buffer, ctx: RequestContext, drafts: Draft[]): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    reportError(ctx.out, ctx.conn, 'malformed', 'the JSON body cannot be parsed');
    return false;
  }
  if (Array.isArray(doc)) {
    // the SDK's JSON mode: flat objects with the query parameters' names
    for (const item of doc) {
      if (isObject(item)) drafts.push(flat(item, ctx));
      else reportError(ctx.out, ctx.conn, 'malformed', 'a JSON array item is not an object: skipped');
    }
    return true;
  }
  if (!isObject(doc)) {
    reportError(ctx.out, ctx.conn, 'malformed', 'the JSON body is neither an object nor an array');
    return false;
  }
  if (doc.location === undefined) {
    drafts.push(flat(doc, ctx));
    return true;
  }
  if (doc.device_id !== undefined) addDeviceId(ctx, doc.device_id, 'device_id');
  if (doc.token !== undefined) ctx.credential = toText(doc.token);
  const locations = Array.isArray(doc.location) ? doc.location : [doc.location];
  for (const location of locations) {
    if (isObject(location)) drafts.push(sdkLocation(location, ctx));
    else reportError(ctx.out, ctx.conn, 'malformed', '"location" is not an object: skipped');
  }
  return true;
}

function flat(item: Record<string, Value>, ctx: RequestContext): Draft {
  const d = newDraft(ctx);
  for (const [name, value] of Object.entries(item)) applyParam(d, name, value, ctx);
  return d;
}

/** One location of Traccar Client 9 (the background-geolocation SDK's record): speeds in m/s, -1 = unknown. */
function sdkLocation(loc: Record<string, Value>, ctx: RequestContext): Draft {
  const d = newDraft(ctx, 'mps');
  const a = d.msg.attributes;
  if (loc.timestamp !== undefined) setTime(d, loc.timestamp, ctx, 'location.timestamp');
  const coords = loc.coords;
  if (isObject(coords)) {
    if (coords.latitude !== undefined) applyNumber(d, 'lat', coords.latitude, ctx, 'coords.latitude');
    if (coords.longitude !== undefined) applyNumber(d, 'lon', coords.longitude, ctx, 'coords.longitude');
    if (coords.altitude !== undefined) applyNumber(d, 'altitude', coords.altitude, ctx, 'coords.altitude');
    if (coords.heading !== undefined) setCourse(d, coords.heading, ctx, 'coords.heading');
    const speed = toNumber(coords.speed ?? Number.NaN);
    if (speed >= 0) d.speed = speed;
    const accuracy = toNumber(coords.accuracy ?? Number.NaN);
    if (accuracy >= 0) a.accuracy = accuracy;
  }
  if (loc.is_moving !== undefined) a.motion = toFlag(loc.is_moving);
  const odometer = toNumber(loc.odometer ?? Number.NaN);
  if (odometer >= 0) a.odometer = odometer;
  if (loc.event !== undefined) a.trigger = toText(loc.event);
  if (isObject(loc.activity) && loc.activity.type !== undefined) a.activity = toText(loc.activity.type);
  const battery = loc.battery;
  if (isObject(battery)) {
    const level = toNumber(battery.level ?? Number.NaN);
    if (level >= 0 && level <= 1) a.batteryLevel = Math.round(level * 100);
    if (battery.is_charging === true) a.charge = true; // false is what the SDK sends when it does not know
  }
  if (loc.mock !== undefined) a.mock = toFlag(loc.mock);
  if (loc.alarm !== undefined) setAlarm(d, loc.alarm, ctx, 'location.alarm');
  if (isObject(loc.extras))
    for (const [name, value] of Object.entries(loc.extras)) {
      if (name === 'alarm') {
        if (loc.alarm === undefined) setAlarm(d, value, ctx, 'extras.alarm');
      } else applyAttribute(d, name, value, ctx);
    }
  return d;
}
