// Durations in one format for every view: the Scenarios tree, the quick picks and the Run / Compare
// panels (webview-ui/src/model/format.ts re-exports formatMs), so a run reads "38.6 s" everywhere.
// Pure: no DOM and no 'vscode', so the extension host and the webview bundle both import it.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Milliseconds: `0.42 ms`, `4.5 ms`, `45 ms`, `1,234 ms`, `12.3 s` (from 10 s on); `–` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms'; // an axis origin or no difference, not a measured 0.00
  if (Math.abs(ms) >= 10_000) return `${oneDecimal.format(ms / 1000)} s`;
  if (Math.abs(ms) < 1) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ms) < 10) return `${ms.toFixed(1)} ms`;
  return `${integer.format(ms)} ms`;
}
