// Draws the extension's marketplace icon, media/icon.png (128×128 RGBA): a gauge on a dark rounded
// square. No image tools needed: shapes are sampled 4×4 per pixel and written as a PNG with zlib.
//   npx node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;
const CX = 64;
const CY = 78;

/** Shapes painted in order; each returns a colour [r, g, b] at (x, y) or undefined outside it. */
const shapes = [
  // Background: rounded square, dark blue gradient from top to bottom.
  (x, y) => (roundedRect(x, y, 4, 4, 120, 120, 26) ? mix([32, 72, 112], [14, 30, 52], y / SIZE) : undefined),
  // Gauge ring, upper half: green → yellow → orange from left to right.
  (x, y) => {
    const r = Math.hypot(x - CX, y - CY);
    if (r < 36 || r > 48 || y > CY) return undefined;
    const t = Math.atan2(CY - y, x - CX) / Math.PI; // 1 at the left, 0 at the right
    return t > 2 / 3 ? [63, 208, 160] : t > 1 / 3 ? [242, 201, 76] : [242, 140, 60];
  },
  // Gaps between the three segments.
  (x, y) =>
    y <= CY && (nearRay(x, y, (2 * Math.PI) / 3, 1.6) || nearRay(x, y, Math.PI / 3, 1.6)) && inRing(x, y, 35, 49)
      ? mix([32, 72, 112], [14, 30, 52], y / SIZE)
      : undefined,
  // Needle pointing into the orange: the load that finds the limit.
  (x, y) => (segment(x, y, CX, CY, CX + 40 * Math.cos(Math.PI / 5), CY - 40 * Math.sin(Math.PI / 5), 3.2) ? [255, 255, 255] : undefined),
  (x, y) => (Math.hypot(x - CX, y - CY) <= 8 ? [255, 255, 255] : undefined),
  (x, y) => (Math.hypot(x - CX, y - CY) <= 3.5 ? [20, 40, 64] : undefined),
  // Baseline under the gauge.
  (x, y) => (roundedRect(x, y, 22, 96, 84, 6, 3) ? [120, 160, 200] : undefined),
];

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * Math.min(1, Math.max(0, t)));
}
function roundedRect(x, y, left, top, width, height, radius) {
  const dx = Math.max(left + radius - x, 0, x - (left + width - radius));
  const dy = Math.max(top + radius - y, 0, y - (top + height - radius));
  return x >= left && x <= left + width && y >= top && y <= top + height && dx * dx + dy * dy <= radius * radius;
}
function inRing(x, y, inner, outer) {
  const r = Math.hypot(x - CX, y - CY);
  return r >= inner && r <= outer;
}
function nearRay(x, y, angle, halfWidth) {
  const ux = Math.cos(angle);
  const uy = -Math.sin(angle);
  const along = (x - CX) * ux + (y - CY) * uy;
  return along > 0 && Math.abs((x - CX) * uy - (y - CY) * ux) <= halfWidth;
}
function segment(x, y, x1, y1, x2, y2, halfWidth) {
  const vx = x2 - x1;
  const vy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(x - (x1 + t * vx), y - (y1 + t * vy)) <= halfWidth;
}

// Each pixel: the average of its samples (transparent where no shape covers a sample).
const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (none), then RGBA
  for (let px = 0; px < SIZE; px++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const x = px + (sx + 0.5) / SAMPLES;
        const y = py + (sy + 0.5) / SAMPLES;
        let colour;
        for (const shape of shapes) colour = shape(x, y) ?? colour;
        if (colour) {
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a++;
        }
      }
    }
    const o = 1 + px * 4;
    if (a > 0) {
      row[o] = Math.round(r / a);
      row[o + 1] = Math.round(g / a);
      row[o + 2] = Math.round(b / a);
      row[o + 3] = Math.round((255 * a) / (SAMPLES * SAMPLES));
    }
  }
  rows.push(row);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('../media/icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
