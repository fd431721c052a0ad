/** Sprite-sheet layout and its WebVTT index. */
export interface SpriteLayout {
  count: number;
  intervalSec: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

export function planSprite(p: { durationSec: number; intervalSec: number; maxTiles: number; tileWidth: number; sourceWidth: number; sourceHeight: number }): SpriteLayout {
  let intervalSec = p.intervalSec;
  // Long sources: widen the interval rather than build a sprite of thousands of tiles.
  if (Math.ceil(p.durationSec / intervalSec) > p.maxTiles) intervalSec = Math.ceil(p.durationSec / p.maxTiles);
  const count = Math.max(1, Math.ceil(p.durationSec / intervalSec));
  const columns = Math.min(10, count);
  const rows = Math.ceil(count / columns);
  const tileHeight = Math.max(2, Math.round((p.tileWidth * p.sourceHeight) / p.sourceWidth / 2) * 2);
  return { count, intervalSec, columns, rows, tileWidth: p.tileWidth, tileHeight };
}

const ts = (s: number) => {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(sec)}.${pad(ms % 1000, 3)}`;
};

export function spriteVtt(layout: SpriteLayout, spriteUri: string, durationSec: number): string {
  const out = ['WEBVTT', ''];
  for (let i = 0; i < layout.count; i++) {
    const start = i * layout.intervalSec;
    const end = Math.min(durationSec, (i + 1) * layout.intervalSec);
    if (end <= start) break;
    const x = (i % layout.columns) * layout.tileWidth;
    const y = Math.floor(i / layout.columns) * layout.tileHeight;
    out.push(`${ts(start)} --> ${ts(end)}`, `${spriteUri}#xywh=${x},${y},${layout.tileWidth},${layout.tileHeight}`, '');
  }
  return out.join('\n');
}
