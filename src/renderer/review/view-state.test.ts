import { describe, expect, it } from 'vitest';
import { adjust, centrePixel, cssFilter, describeAdjustments, INITIAL_VIEW, MAX_ZOOM, NO_ADJUSTMENT, onKey, pixelAt, place, regionAround, SHORTCUTS, type ViewState } from './view-state';

const press = (s: ViewState, key: string, shift = false): ViewState => {
  const r = onKey(s, key, shift);
  if (!r || !('state' in r)) throw new Error(`${key} did not change the view`);
  return r.state;
};

describe('comparison view state', () => {
  it('pans both images when synced and only the active one when not; offsets survive sync off and on', () => {
    let s = press(INITIAL_VIEW, 'ArrowRight');
    expect(s.pan.x).toBeCloseTo(-0.05);
    expect(s.offset.left).toEqual({ x: 0, y: 0 });
    s = press(s, 's');
    s = press(s, '2');
    s = press(s, 'ArrowDown', true);
    expect(s.offset.right).toEqual({ x: 0, y: -0.25 });
    expect(s.offset.left).toEqual({ x: 0, y: 0 });
    expect(s.pan.y).toBe(0);
    s = press(press(s, 's'), 'ArrowUp');
    expect(s.sync).toBe(true);
    expect(s.offset.right).toEqual({ x: 0, y: -0.25 });
    expect(s.pan.y).toBeCloseTo(0.05);
  });

  it('zooms deep enough for single pixels and no further, and 0 fits again', () => {
    let s = INITIAL_VIEW;
    for (let i = 0; i < 100; i++) s = press(s, '+');
    expect(s.zoom).toBe(MAX_ZOOM);
    s = press(press(s, 'ArrowLeft'), '0');
    expect(s.zoom).toBe(1);
    expect(s.pan).toEqual({ x: 0, y: 0 });
  });

  it('places the region of interest in the centre, and maps panel points back to image pixels', () => {
    const region = regionAround({ x: 100, y: 50, w: 20, h: 20 }, 0.5, 0.5);
    expect(region).toEqual({ x: 45, y: 20, w: 20, h: 20 });
    const panel = { w: 400, h: 200 };
    const p = place(INITIAL_VIEW, 'left', region, panel);
    expect(p.scale).toBe(10);
    expect(centrePixel(p, panel)).toEqual({ x: 55, y: 30 });
    expect(pixelAt(p, 200 + 25, 100 - 10)).toEqual({ x: 57.5, y: 29 });
    const shifted = place({ ...INITIAL_VIEW, offset: { ...INITIAL_VIEW.offset, right: { x: 0.5, y: 0 } } }, 'right', region, panel);
    expect(centrePixel(shifted, panel)).toEqual({ x: 65, y: 30 });
  });

  it('overlay, flicker and wipe use the aligned view; a second press returns to side by side', () => {
    const original = { ...INITIAL_VIEW, view: 'original' as const };
    const o = press(original, 'o');
    expect(o).toMatchObject({ mode: 'overlay', view: 'aligned' });
    expect(press(o, 'o').mode).toBe('side');
    expect(press(o, 'w').mode).toBe('wipe');
    expect(press(press(o, 'w'), ']').wipe).toBe(0.55);
    expect(press(o, '[').opacity).toBe(0.45);
  });

  it('adjusts only the active image, within bounds, and says what was changed', () => {
    let s = press(INITIAL_VIEW, '2');
    for (let i = 0; i < 15; i++) s = press(s, 'b');
    s = press(press(s, 'k'), 'g');
    expect(s.adjust.left).toEqual(NO_ADJUSTMENT);
    expect(s.adjust.right).toEqual({ brightness: 100, contrast: 0, gamma: 1.1, greyscale: true });
    expect(describeAdjustments(s.adjust.right)).toBe('brightness +100, gamma 1.1, greyscale');
    expect(cssFilter(s.adjust.right, 'g-right')).toBe('brightness(2) grayscale(1) url(#g-right)');
    expect(cssFilter(NO_ADJUSTMENT, 'x')).toBe('none');
    expect(press(s, 'r').adjust.right).toEqual(NO_ADJUSTMENT);
    expect(adjust(INITIAL_VIEW, 'left', { gamma: 99 }).adjust.left.gamma).toBe(5);
  });

  it('lets keys that are not the view’s pass, and lists a shortcut for each kind of control', () => {
    expect(onKey(INITIAL_VIEW, 'Tab', false)).toBeNull();
    expect(onKey(INITIAL_VIEW, 'm', false)).toEqual({ marker: 'left' });
    expect(onKey(INITIAL_VIEW, '?', false)).toEqual({ help: true });
    for (const k of ['S', 'V', 'O', 'F', 'W', 'L', 'P', 'K', 'R', 'M']) expect(SHORTCUTS.some((s) => s.keys.includes(k))).toBe(true);
  });
});
