// Colours the panels draw with, readable in every theme: theme colours are parsed (hex, rgb(), rgba()),
// their alpha is stripped (VS Code's `--vscode-charts-orange` is `rgba(234, 92, 0, 0.33)` in the
// default themes: a line drawn with it is faint), and each is darkened or lightened until it reaches a
// minimum contrast ratio against the editor background (WCAG 2.2: 3:1 for graphics, 4.5:1 for text).
// Pure functions, no DOM: charts.ts reads the theme variables and hands them here.

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0..1 */
  a: number;
}

/** Graphics (chart lines, markers, bars): WCAG 2.2 1.4.11 non-text contrast. */
export const MIN_GRAPHIC_CONTRAST = 3;
/** Text (PASS / FAIL, better / worse): WCAG 2.2 1.4.3 contrast for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

const NAMED: Record<string, Rgba> = {
  black: { r: 0, g: 0, b: 0, a: 1 },
  white: { r: 255, g: 255, b: 255, a: 1 },
  transparent: { r: 0, g: 0, b: 0, a: 0 },
};

/** A CSS colour as the browser serialises theme variables: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`,
 *  `rgb(…)` / `rgba(…)` (comma or space separated, `/` alpha, percentages), black, white, transparent.
 *  Null for anything else (a keyword like `CanvasText`, an empty variable). */
export function parseColour(text: string): Rgba | null {
  const s = text.trim().toLowerCase();
  if (s in NAMED) return { ...NAMED[s] };
  const hex = /^#([0-9a-f]{3,8})$/.exec(s);
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3 || digits.length === 4) digits = [...digits].map((d) => d + d).join('');
    if (digits.length !== 6 && digits.length !== 8) return null;
    const byte = (i: number) => parseInt(digits.slice(i, i + 2), 16);
    return { r: byte(0), g: byte(2), b: byte(4), a: digits.length === 8 ? byte(6) / 255 : 1 };
  }
  const fn = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (!fn) return null;
  const parts = fn[1].split(/\s*[,/]\s*|\s+/).filter((p) => p !== '');
  if (parts.length !== 3 && parts.length !== 4) return null;
  const channel = (p: string) => (p.endsWith('%') ? (parseFloat(p) / 100) * 255 : parseFloat(p));
  const [r, g, b] = parts.slice(0, 3).map(channel);
  const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
  if (![r, g, b, a].every(Number.isFinite)) return null;
  return { r: clamp(r, 0, 255), g: clamp(g, 0, 255), b: clamp(b, 0, 255), a: clamp(a, 0, 1) };
}

/** `#rrggbb` (alpha dropped). */
export function toHex(c: Rgba): string {
  const byte = (v: number) =>
    Math.round(clamp(v, 0, 255))
      .toString(16)
      .padStart(2, '0');
  return `#${byte(c.r)}${byte(c.g)}${byte(c.b)}`;
}

/** The colour at full opacity: a line drawn with it shows the hue the theme meant, not a faint blend. */
export function opaque(c: Rgba): Rgba {
  return { r: c.r, g: c.g, b: c.b, a: 1 };
}

/** What a translucent colour looks like painted over `background` (itself taken as opaque). */
export function over(c: Rgba, background: Rgba): Rgba {
  return { r: c.r * c.a + background.r * (1 - c.a), g: c.g * c.a + background.g * (1 - c.a), b: c.b * c.a + background.b * (1 - c.a), a: 1 };
}

/** WCAG 2.2 relative luminance (0 black … 1 white) of the colour's RGB. */
export function relativeLuminance(c: Rgba): number {
  const lin = (v: number) => {
    const s = clamp(v, 0, 255) / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG 2.2 contrast ratio, 1 … 21 (order does not matter). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * The colour, opaque, moved toward black or white (whichever contrasts more with the backgrounds) just
 * far enough to reach `minRatio` against every background; unchanged when it already does. The hue is
 * kept as far as the contrast allows. Any background has at least 4.58:1 with black or white, so 3 and
 * 4.5 are always reachable.
 */
export function withContrast(colour: Rgba, backgrounds: readonly Rgba[], minRatio: number): Rgba {
  const start = opaque(colour);
  const enough = (c: Rgba) => backgrounds.every((bg) => contrastRatio(c, bg) >= minRatio);
  if (enough(start)) return start;
  const bgLuminance = Math.max(...backgrounds.map(relativeLuminance));
  const darkBackground = 1.05 / (bgLuminance + 0.05) > (bgLuminance + 0.05) / 0.05;
  const toward: Rgba = darkBackground ? NAMED.white : NAMED.black;
  const mix = (t: number): Rgba => ({
    r: start.r + (toward.r - start.r) * t,
    g: start.g + (toward.g - start.g) * t,
    b: start.b + (toward.b - start.b) * t,
    a: 1,
  });
  // Smallest mix that is enough (contrast grows monotonically along the way), then rounded to whole
  // channels without falling below the ratio.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (enough(mix(mid))) hi = mid;
    else lo = mid;
  }
  for (let t = hi; t <= 1; t += 0.002) {
    const rounded = round(mix(t));
    if (enough(rounded)) return rounded;
  }
  return { ...toward };
}

/** The theme kinds VS Code marks the webview's body with. */
export type ThemeKind = 'light' | 'dark' | 'hc-dark' | 'hc-light';

/** The body classes VS Code sets (`vscode-light`, `vscode-dark`, `vscode-high-contrast` and, for the
 *  light high-contrast theme, `vscode-high-contrast-light` too); null outside VS Code (the report). */
export function themeKindOf(classes: readonly string[]): ThemeKind | null {
  if (classes.includes('vscode-high-contrast-light')) return 'hc-light';
  if (classes.includes('vscode-high-contrast')) return 'hc-dark';
  if (classes.includes('vscode-dark')) return 'dark';
  if (classes.includes('vscode-light')) return 'light';
  return null;
}

/** Variables the chart series take their colours from, in series order. */
export const SERIES_VARIABLES = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
] as const;

/** Used where a theme leaves a variable unset (the high-contrast themes have no `charts.orange` and no
 *  `testing.iconFailed`) or outside VS Code. VS Code's own defaults per kind. */
const FALLBACK: Record<'light' | 'dark', { series: string[]; pass: string; fail: string; warning: string; foreground: string; background: string }> = {
  light: {
    series: ['#0063d3', '#d18616', '#388a34', '#652d90', '#e51400', '#bf8803'],
    pass: '#388a34',
    fail: '#e51400',
    warning: '#bf8803',
    foreground: '#3b3b3b',
    background: '#ffffff',
  },
  dark: {
    series: ['#59a4f9', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'],
    pass: '#73c991',
    fail: '#f14c4c',
    warning: '#cca700',
    foreground: '#cccccc',
    background: '#1f1f1f',
  },
};

export interface ThemePalette {
  /** The chart background (the editor's, opaque). */
  background: string;
  foreground: string;
  grid: string;
  /** Series colours in SERIES_VARIABLES order: opaque, each ≥ 3:1 against the background. */
  series: string[];
  /** Verdict colours (text and marks): opaque, each ≥ 4.5:1 against the background and the cards'. */
  pass: string;
  fail: string;
  warning: string;
}

/**
 * The panel's colours from the theme's variables (`read` returns '' for an unset one). `kind` picks the
 * fallbacks; without one (the HTML report) the background's luminance decides light or dark.
 */
export function themePalette(read: (variable: string) => string, kind: ThemeKind | null): ThemePalette {
  const parsedBackground = parseColour(read('--vscode-editor-background'));
  const guessDark = parsedBackground ? relativeLuminance(parsedBackground) < 0.4 : kind === 'dark' || kind === 'hc-dark';
  const base = FALLBACK[kind === 'light' || kind === 'hc-light' ? 'light' : kind === 'dark' || kind === 'hc-dark' ? 'dark' : guessDark ? 'dark' : 'light'];
  const background = parsedBackground && parsedBackground.a > 0 ? opaque(parsedBackground) : parseColour(base.background)!;
  const widget = parseColour(read('--vscode-editorWidget-background'));
  // Verdict text sits on the editor background and on cards (the widget background).
  const textBackgrounds = widget && widget.a === 1 ? [background, widget] : [background];
  // The first variable the theme sets, else VS Code's default for the kind.
  const colour = (variables: string | string[], fallback: string) => {
    for (const v of [variables].flat()) {
      const c = parseColour(read(v));
      if (c && c.a > 0) return c;
    }
    return parseColour(fallback)!;
  };
  const graphic = (c: Rgba) => toHex(withContrast(c, [background], MIN_GRAPHIC_CONTRAST));
  const text = (c: Rgba) => toHex(withContrast(c, textBackgrounds, MIN_TEXT_CONTRAST));
  const foreground = colour('--vscode-foreground', base.foreground);
  return {
    background: toHex(background),
    foreground: text(over(foreground, background)),
    grid: gridColour(read),
    series: SERIES_VARIABLES.map((v, i) => graphic(colour(v, base.series[i]))),
    pass: text(colour('--vscode-testing-iconPassed', base.pass)),
    // The high-contrast themes set no testing.iconFailed: their error colour is the theme's red.
    fail: text(colour(['--vscode-testing-iconFailed', '--vscode-editorError-foreground'], base.fail)),
    warning: text(colour('--vscode-editorWarning-foreground', base.warning)),
  };
}

/** Grid lines: the theme's chart lines at half their strength, so they never compete with a series
 *  (High Contrast's widget border is a light blue, close to its blue series). */
function gridColour(read: (variable: string) => string): string {
  const lines = parseColour(read('--vscode-charts-lines'));
  if (!lines) return 'rgba(128, 128, 128, 0.3)';
  return `rgba(${Math.round(lines.r)}, ${Math.round(lines.g)}, ${Math.round(lines.b)}, ${Math.round(lines.a * 50) / 100})`;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round(c: Rgba): Rgba {
  return { r: Math.round(c.r), g: Math.round(c.g), b: Math.round(c.b), a: 1 };
}
