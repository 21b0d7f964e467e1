/** Where a span of a video sits on a bar of its whole length, in percent. */
export function spanPercent(firstMs: number, lastMs: number, durationMs: number): { left: number; width: number } {
  const d = Math.max(1, durationMs);
  const left = Math.min(100, Math.max(0, (firstMs / d) * 100));
  const right = Math.min(100, Math.max(left, (lastMs / d) * 100));
  // A track seen in one frame still gets a visible mark.
  return { left, width: Math.max(0.6, right - left) };
}
