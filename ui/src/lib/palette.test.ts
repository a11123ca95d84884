// The palette in app.css (issue 15): the dark palette is written twice (system dark and chosen
// dark) and must stay identical, and every text colour meets WCAG AA (4.5:1) on every surface it
// can sit on, in both themes; states the demo never shows (a node down, every badge) included.
import { describe, expect, it } from 'vitest';
import css from '../app.css?raw';

function block(after: string): Record<string, string> {
  const start = css.indexOf('{', css.indexOf(after)) + 1;
  const body = css.slice(start, css.indexOf('}', start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
}

const light = block(':root {');
const systemDark = block(":root:not([data-theme='light'])");
const chosenDark = block(":root[data-theme='dark']");

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const texts = ['--text', '--text-2', '--text-3', '--accent', '--accent-soft-text', '--talk', '--mute', '--deaf', '--problem'];
const surfaces = ['--bg', '--surface', '--surface-2', '--surface-3', '--accent-soft', '--talk-soft', '--mute-soft', '--deaf-soft', '--problem-soft'];

describe('palette', () => {
  it('writes the dark palette twice, identically', () => {
    expect(Object.keys(systemDark).length).toBeGreaterThan(20);
    expect(chosenDark).toEqual(systemDark);
  });

  for (const [name, p] of [
    ['light', light],
    ['dark', chosenDark],
  ] as const) {
    it(`${name}: every text colour is at least 4.5:1 on every surface`, () => {
      const low: string[] = [];
      for (const fg of texts)
        for (const bg of surfaces) {
          const r = contrast(p[fg], p[bg]);
          if (r < 4.5) low.push(`${fg} ${p[fg]} on ${bg} ${p[bg]}: ${r.toFixed(2)}`);
        }
      // Filled buttons: their text on the accent and problem colours.
      for (const [fg, bg] of [
        ['--accent-text', '--accent'],
        ['--accent-text', '--accent-hover'],
        ['--surface', '--problem'],
      ]) {
        const r = contrast(p[fg], p[bg]);
        if (r < 4.5) low.push(`${fg} on ${bg}: ${r.toFixed(2)}`);
      }
      expect(low).toEqual([]);
    });
  }
});
