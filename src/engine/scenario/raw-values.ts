// Reading values out of parsed (already schema-checked) YAML: a field of the wrong type reads as absent,
// so normalizers can say `str(t.model) ?? default` without casts. Shared by normalize.ts and the
// server_metrics block's normalizer (src/engine/server-metrics/settings.ts).

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
