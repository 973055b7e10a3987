// model/colours.ts: CSS colours parsed as browsers serialise them, WCAG luminance and contrast, and the
// panel's palette readable (series ≥ 3:1, verdict text ≥ 4.5:1) in VS Code's built-in themes and in the
// HTML report's own light and dark sets.
import { strict as assert } from 'node:assert';
import { REPORT_THEME } from '../../../src/shared/html-report';
import {
  contrastRatio,
  MIN_GRAPHIC_CONTRAST,
  MIN_TEXT_CONTRAST,
  opaque,
  over,
  parseColour,
  relativeLuminance,
  themeKindOf,
  themePalette,
  toHex,
  withContrast,
  type Rgba,
} from '../../../webview-ui/src/model/colours';
import { VSCODE_THEMES } from './fixtures/vscode-themes';

const rgb = (r: number, g: number, b: number, a = 1): Rgba => ({ r, g, b, a });
const near = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected}`);
const contrast = (a: string, b: string) => contrastRatio(parseColour(a)!, parseColour(b)!);

describe('colours: parsing', () => {
  it('reads hex in all four lengths, rgb() and rgba() with commas, spaces, slash and percentages', () => {
    assert.deepEqual(parseColour('#fff'), rgb(255, 255, 255));
    assert.deepEqual(parseColour('#0F08'), rgb(0, 255, 0, 0x88 / 255));
    assert.deepEqual(parseColour('#1f1f1f'), rgb(31, 31, 31));
    assert.deepEqual(parseColour('#ea5c0054'), rgb(234, 92, 0, 0x54 / 255));
    assert.deepEqual(parseColour('rgba(234, 92, 0, 0.33)'), rgb(234, 92, 0, 0.33));
    assert.deepEqual(parseColour(' rgb(1 2 3 / 50%) '), rgb(1, 2, 3, 0.5));
    assert.deepEqual(parseColour('rgb(100%, 0%, 50%)'), rgb(255, 0, 127.5));
    assert.deepEqual(parseColour('white'), rgb(255, 255, 255));
    assert.deepEqual(parseColour('transparent'), rgb(0, 0, 0, 0));
  });

  it('returns null for what it cannot resolve (keywords, empty variables, nonsense)', () => {
    for (const text of ['', 'CanvasText', '#12', '#12345', 'rgb(1, 2)', 'rgba(a, b, c, d)', 'hsl(0 0% 0%)']) assert.equal(parseColour(text), null, text);
  });

  it('writes #rrggbb, alpha dropped', () => {
    assert.equal(toHex(rgb(234, 92, 0, 0.33)), '#ea5c00');
    assert.equal(toHex(rgb(0.4, 255.2, 16)), '#00ff10');
  });
});

describe('colours: luminance and contrast (WCAG 2.2)', () => {
  it('black 0, white 1, and the known ratios', () => {
    near(relativeLuminance(rgb(0, 0, 0)), 0, 0);
    near(relativeLuminance(rgb(255, 255, 255)), 1, 1e-12);
    near(contrast('#000', '#fff'), 21, 1e-9);
    near(contrast('#fff', '#fff'), 1, 0);
    // #767676 is the lightest grey with 4.5:1 on white.
    near(contrast('#767676', '#ffffff'), 4.54, 0.01);
    // Issue 15's PASS green on white: ~2:1.
    near(contrast('rgb(115,201,145)', '#ffffff'), 2.0, 0.05);
  });

  it('a translucent colour over a background is the blend the eye sees', () => {
    const faint = over(parseColour('rgba(234, 92, 0, 0.33)')!, parseColour('#1f1f1f')!);
    assert.equal(toHex(faint), '#623315');
    // That is the faint brown of the issue: under 3:1 on the dark background; the opaque colour is not.
    assert.ok(contrastRatio(faint, parseColour('#1f1f1f')!) < 2);
    assert.ok(contrastRatio(opaque(parseColour('rgba(234, 92, 0, 0.33)')!), parseColour('#1f1f1f')!) >= 3);
  });

  it('withContrast keeps a colour that is enough, and moves one that is not just far enough, keeping its hue', () => {
    const white = parseColour('#ffffff')!;
    assert.deepEqual(withContrast(parseColour('#0063d3')!, [white], 3), parseColour('#0063d3'));
    const green = withContrast(parseColour('#73c991')!, [white], MIN_TEXT_CONTRAST);
    const ratio = contrastRatio(green, white);
    assert.ok(ratio >= MIN_TEXT_CONTRAST && ratio < MIN_TEXT_CONTRAST + 0.1, `${ratio}`);
    assert.ok(green.g > green.r && green.g > green.b, `still green: ${toHex(green)}`);
    // On a dark background a too-dark colour is lightened.
    const black = parseColour('#000000')!;
    const navy = withContrast(parseColour('#000080')!, [black], 3);
    assert.ok(contrastRatio(navy, black) >= 3 && navy.b > navy.r);
    // Against two backgrounds, both are met; translucency is dropped first.
    const both = withContrast(parseColour('rgba(191, 136, 3, 0.5)')!, [white, parseColour('#f8f8f8')!], MIN_TEXT_CONTRAST);
    assert.equal(both.a, 1);
    assert.ok(contrastRatio(both, white) >= 4.5 && contrastRatio(both, parseColour('#f8f8f8')!) >= 4.5);
  });
});

describe('colours: the panel palette', () => {
  it('theme kinds from the body classes VS Code sets', () => {
    assert.equal(themeKindOf(['vscode-light']), 'light');
    assert.equal(themeKindOf(['vscode-dark']), 'dark');
    assert.equal(themeKindOf(['vscode-high-contrast']), 'hc-dark');
    assert.equal(themeKindOf(['vscode-high-contrast', 'vscode-high-contrast-light']), 'hc-light');
    assert.equal(themeKindOf(['perflab-report']), null);
  });

  function assertReadable(name: string, vars: Record<string, string>, kind: ReturnType<typeof themeKindOf>): void {
    const p = themePalette((v) => vars[v] ?? '', kind);
    const bg = parseColour(p.background)!;
    assert.equal(p.series.length, 6, name);
    for (const c of [...p.series, p.pass, p.fail, p.warning, p.foreground]) assert.match(c, /^#[0-9a-f]{6}$/, `${name}: ${c} is opaque hex`);
    p.series.forEach((c, i) =>
      assert.ok(
        contrastRatio(parseColour(c)!, bg) >= MIN_GRAPHIC_CONTRAST,
        `${name}: series ${i} ${c} on ${p.background}: ${contrastRatio(parseColour(c)!, bg).toFixed(2)}`,
      ),
    );
    const cards = parseColour(vars['--vscode-editorWidget-background'] ?? '') ?? bg;
    for (const [what, c] of Object.entries({ pass: p.pass, fail: p.fail, warning: p.warning, foreground: p.foreground })) {
      for (const back of [bg, cards])
        assert.ok(
          contrastRatio(parseColour(c)!, back) >= MIN_TEXT_CONTRAST,
          `${name}: ${what} ${c} on ${toHex(back)}: ${contrastRatio(parseColour(c)!, back).toFixed(2)}`,
        );
    }
  }

  for (const theme of Object.values(VSCODE_THEMES)) {
    it(`${theme.name}: every series ≥ 3:1, verdict colours ≥ 4.5:1, all opaque`, () => {
      assertReadable(theme.name, theme.vars, themeKindOf([theme.bodyClass]));
    });
  }

  it('Dark Modern’s charts.orange (rgba(234, 92, 0, 0.33)) is drawn opaque; Light Modern’s PASS green is darkened', () => {
    const dark = themePalette((v) => VSCODE_THEMES.darkModern.vars[v] ?? '', 'dark');
    assert.equal(dark.series[1], '#ea5c00');
    assert.equal(dark.pass, '#73c991', 'already readable on the dark background: unchanged');
    // Grid lines: the theme's chart lines at half strength.
    assert.equal(dark.grid, 'rgba(204, 204, 204, 0.25)');
    const light = themePalette((v) => VSCODE_THEMES.lightModern.vars[v] ?? '', 'light');
    assert.equal(light.series[1], '#ea5c00', '3.5:1 on white once opaque');
    assert.notEqual(light.pass, '#73c991');
    // High Contrast sets no charts.orange and no testing.iconFailed: the fallbacks are readable too.
    const hc = themePalette((v) => VSCODE_THEMES.highContrast.vars[v] ?? '', 'hc-dark');
    assert.ok(contrast(hc.series[1], '#000000') >= 3);
    assert.equal(hc.fail, '#f48771', 'the theme’s own error colour');
  });

  it('the HTML report’s light and dark sets are readable as they are (nothing left to adjust)', () => {
    const [light, dark] = REPORT_THEME.split('@media (prefers-color-scheme: dark)');
    const vars = (css: string) => Object.fromEntries([...css.matchAll(/(--vscode-[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
    const lightVars = vars(light);
    const darkVars = { ...lightVars, ...vars(dark) };
    for (const [name, set, kind] of [
      ['report light', lightVars, null],
      ['report dark', darkVars, null],
    ] as const) {
      assertReadable(name, set, kind);
      const p = themePalette((v) => set[v] ?? '', kind);
      const names = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
      assert.deepEqual(
        p.series,
        names.map((n) => set[`--vscode-charts-${n}`].toLowerCase()),
        `${name}: the report's chart colours need no adjustment`,
      );
      assert.equal(p.pass, set['--vscode-testing-iconPassed'].toLowerCase(), name);
      assert.equal(p.fail, set['--vscode-testing-iconFailed'].toLowerCase(), name);
    }
  });

  it('without a readable background (the report outside any theme) the light defaults are used', () => {
    const p = themePalette(() => '', null);
    assert.equal(p.background, '#ffffff');
    assert.ok(p.series.every((c) => contrast(c, '#ffffff') >= 3));
  });
});
