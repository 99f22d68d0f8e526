'use strict';
// Independent H02 builders for tests: binary positions laid out field by field, text messages.

const two = (n) => String(n).padStart(2, '0');

/** (D)DDMM.MMMM digits of a coordinate, without the point: `width` degree digits, 4 decimals of minutes. */
function dm(value, width) {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.round((abs - degrees) * 600000);
  return String(degrees).padStart(width, '0') + String(minutes).padStart(6, '0');
}

/**
 * A binary position: `$`, BCD ID, hhmmss, DDMMYY, latitude, battery code, longitude + flags nibble, speed
 * (knots) + course, status, then `tail` bytes up to `size` (32 by default: FF 00 and a serial).
 */
function binary({
  id = '4106011660',
  time = Date.UTC(2024, 0, 2, 3, 4, 5),
  lat = 52.5,
  lon = 13.4,
  valid = true,
  knots = 0,
  course = 0,
  battery = 6,
  status = 0xfffffbff,
  size = 32,
  tail,
  marker = 0x24,
} = {}) {
  const d = new Date(time);
  const flags = (valid ? 2 : 0) | (lat >= 0 ? 4 : 0) | (lon >= 0 ? 8 : 0);
  const head = Buffer.from(
    id +
      two(d.getUTCHours()) +
      two(d.getUTCMinutes()) +
      two(d.getUTCSeconds()) +
      two(d.getUTCDate()) +
      two(d.getUTCMonth() + 1) +
      two(d.getUTCFullYear() % 100) +
      dm(lat, 2) +
      battery.toString(16).padStart(2, '0') +
      dm(lon, 3) +
      flags.toString(16) +
      String(knots).padStart(3, '0') +
      String(course).padStart(3, '0'),
    'hex',
  );
  const word = Buffer.alloc(4);
  word.writeUInt32BE(status >>> 0);
  const frame = Buffer.concat([Buffer.from([marker]), head, word]);
  const rest = tail ?? Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.alloc(Math.max(0, size - frame.length - 2))]);
  return Buffer.concat([frame, rest]).subarray(0, Math.max(size, frame.length + rest.length));
}

/** `*HQ,<id>,<fields...>#`. */
function text(id, ...fields) {
  return Buffer.from(`*HQ,${[id, ...fields].join(',')}#`, 'latin1');
}

module.exports = { binary, text, dm };
