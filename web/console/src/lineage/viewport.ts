// Pan and zoom of the graph: one transform (translate, then scale) on the <g> that holds
// everything, so moving around never lays out or re-renders the graph.

export interface Transform {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.01;
export const MAX_ZOOM = 4;

export const IDENTITY: Transform = { x: 0, y: 0, k: 1 };

function clampK(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

/** zoomAt scales t by factor keeping the screen point (px, py) where it is. */
export function zoomAt(t: Transform, factor: number, px: number, py: number): Transform {
  const k = clampK(t.k * factor);
  const f = k / t.k;
  return { k, x: px - (px - t.x) * f, y: py - (py - t.y) * f };
}

/** pan moves t by (dx, dy) screen pixels. */
export function pan(t: Transform, dx: number, dy: number): Transform {
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}

/**
 * fit shows a width×height drawing whole and centred in a vw×vh viewport, at most at
 * scale 1 (a small graph is not blown up).
 */
export function fit(width: number, height: number, vw: number, vh: number, margin = 16): Transform {
  if (width <= 0 || height <= 0 || vw <= 0 || vh <= 0) return IDENTITY;
  const k = clampK(Math.min(1, (vw - 2 * margin) / width, (vh - 2 * margin) / height));
  return { k, x: (vw - width * k) / 2, y: (vh - height * k) / 2 };
}

/** centreOn moves t so that the drawing point (x, y) is in the middle of a vw×vh viewport. */
export function centreOn(t: Transform, x: number, y: number, vw: number, vh: number): Transform {
  return { k: t.k, x: vw / 2 - x * t.k, y: vh / 2 - y * t.k };
}

/** wheelFactor turns a wheel event's deltaY (pixels) into a zoom factor. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-Math.max(-100, Math.min(100, deltaY)) * 0.002);
}

export function transformAttr(t: Transform): string {
  return `translate(${t.x.toFixed(1)},${t.y.toFixed(1)}) scale(${t.k.toFixed(4)})`;
}
