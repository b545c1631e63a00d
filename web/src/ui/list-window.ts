// Which rows of a virtualised list exist in the DOM: those in view plus an overscan either side,
// never past the end (an unknown total: as if the view were full).

export interface ListWindow {
  first: number;
  last: number;
}

export function listWindow(o: {
  scrollTop: number;
  height: number;
  total: number | null;
  rowHeight: number;
  overscan: number;
}): ListWindow {
  const first = Math.max(0, Math.floor(o.scrollTop / o.rowHeight) - o.overscan);
  const end = Math.ceil((o.scrollTop + o.height) / o.rowHeight) + o.overscan;
  const last = o.total === null ? end : Math.min(o.total - 1, end);
  return { first, last };
}

/** The scroll position that brings row i into view, or null if it is in view. */
export function scrollToRow(
  i: number,
  o: { scrollTop: number; height: number; rowHeight: number },
): number | null {
  const top = i * o.rowHeight;
  if (top < o.scrollTop) return top;
  if (top + o.rowHeight > o.scrollTop + o.height) return top + o.rowHeight - o.height;
  return null;
}
