// Number formatting for cards, tables and axis ticks: one place, so every view says "1,234 ms" alike.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Milliseconds: `0.42 ms`, `45 ms`, `1,234 ms`, `12.3 s` (from 10 s on); shared with the Scenarios tree. */
export { formatMs } from '../../../src/shared/format-duration';
import { formatMs } from '../../../src/shared/format-duration';

export function formatCount(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '–' : integer.format(n);
}

export function formatDecimal(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '–' : oneDecimal.format(n);
}

const threeDigits = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A value of any size, small ones not rounded away: `0.0412`, `1.09`, `12.5`, `1,234`. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return Math.abs(n) >= 1000 ? integer.format(n) : threeDigits.format(n);
}

/** USD with enough digits to see a per-request price: `$0.000412`, `$1.23`, `$1,234`. */
export function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return 'n/a';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 100) return `$${integer.format(usd)}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(3)}`;
}

/** `12.3%`, `0.04%`; a share that is not zero never reads as zero (`<0.01%`, `>99.9%`). */
export function formatPercent(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '–';
  if (p !== 0 && Math.abs(p) < 0.01) return `${p < 0 ? '-' : ''}<0.01%`;
  if (p > 99.9 && p < 100) return '>99.9%';
  return p !== 0 && Math.abs(p) < 0.1 ? `${p.toFixed(2)}%` : `${oneDecimal.format(p)}%`;
}

/** A length of time that may be long: `850 ms`, `12.3 s`, `4 min 12 s`, `1 h 3 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${integer.format(ms)} ms`;
  if (ms < 60_000) return `${oneDecimal.format(ms / 1000)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const min = Math.round(s / 60);
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** A value in the unit the view-model names. */
export function formatValue(value: number | null, unit: string): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'USD':
      return formatUsd(value);
    case 'USD/h':
      return value === null ? 'n/a' : `${formatUsd(value)}/h`;
    case '%':
      return formatPercent(value);
    case 'rpm':
      return value === null ? '–' : `${formatDecimal(value)} RPM`;
    case 'tpm':
      return value === null ? '–' : `${formatCount(value)} TPM`;
    case 'ratio':
      return value === null ? '–' : formatPercent(value * 100);
    case 'per_s':
      return value === null ? '–' : `${formatNumber(value)}/s`;
    case 'number':
      return formatNumber(value);
    default:
      return formatCount(value);
  }
}

/** A signed difference: `+12 ms`, `−3.1%`. */
export function formatDifference(value: number | null, unit: string): string {
  if (value === null) return '–';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${formatValue(Math.abs(value), unit)}`;
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? '–' : `${ratio.toFixed(2)}×`;
}
