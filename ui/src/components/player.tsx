/**
 * Plays a job's outputs: HLS with the browser's own player where it has one
 * (`canPlayType('application/vnd.apple.mpegurl')`), else hls.js (light build, loaded on first
 * use); DASH with dash.js as an alternative, loaded only when chosen (it is large). A rung switch
 * pins a rendition or leaves it to ABR ('auto'); hovering the seek bar previews the sprite tile
 * of that time (thumbnails WebVTT over the sprite sheet).
 */
import type HlsType from 'hls.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobView } from '../../../lambdas/contracts/api.ts';
import { formatDuration } from '../lib/format.ts';
import type { RenditionLike } from '../lib/ladder.ts';
import { levelIndexFor, parseMasterPlaylist, rungLabel, type PlayerLevel } from '../lib/rungs.ts';
import { cueAt, cueImageUrl, parseThumbnailsVtt, type ThumbnailCue } from '../lib/thumbnails-vtt.ts';

type Mode = 'hls' | 'dash';
type HlsClass = typeof HlsType;
type HlsInstance = InstanceType<HlsClass>;
type DashPlayer = ReturnType<ReturnType<(typeof import('dashjs'))['MediaPlayer']>['create']>;

// The light build has no type declarations of its own: it is the same API as the full build.
const loadHls = async (): Promise<HlsClass> => ((await import('hls.js/light' as string)) as { default: HlsClass }).default;

interface Engine {
  /** Pin a level (index into `levels`) or -1 for auto. */
  setLevel(i: number): void;
  levels: PlayerLevel[];
  destroy(): void;
  native: boolean;
}

export function Player(props: { outputs: JobView['outputs']; renditions: readonly RenditionLike[] }) {
  const { outputs } = props;
  const video = useRef<HTMLVideoElement>(null);
  const engine = useRef<Engine | null>(null);
  const [mode, setMode] = useState<Mode>(outputs.hls ? 'hls' : 'dash');
  const [rung, setRung] = useState<string>('auto');
  const [levels, setLevels] = useState<PlayerLevel[]>([]);
  const [native, setNative] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const src = mode === 'hls' ? outputs.hls?.url : outputs.dash?.url;

  useEffect(() => {
    const el = video.current;
    if (!el || !src) return;
    let cancelled = false;
    setError(null);
    setLevels([]);
    setRung('auto');
    setLoading(true);
    const start = async () => {
      if (mode === 'hls') {
        if (el.canPlayType('application/vnd.apple.mpegurl')) {
          // The browser plays HLS itself: a pinned rung plays that variant's playlist instead of the master.
          el.src = src;
          const master = new URL(src, location.href).href;
          const variants = await fetch(master, { credentials: 'same-origin' })
            .then((r) => (r.ok ? r.text() : ''))
            .then((t) => parseMasterPlaylist(t, master))
            .catch(() => []);
          if (cancelled) return;
          const switchTo = (url: string) => {
            const t = el.currentTime;
            const playing = !el.paused;
            el.src = url;
            el.addEventListener(
              'loadedmetadata',
              () => {
                el.currentTime = t;
                if (playing) void el.play().catch(() => {});
              },
              { once: true },
            );
          };
          engine.current = { native: true, levels: variants, setLevel: (i) => switchTo(i < 0 ? src : variants[i]!.url), destroy: () => (el.removeAttribute('src'), el.load()) };
          setLevels(variants);
          setNative(true);
          return;
        }
        const Hls = await loadHls();
        if (cancelled) return;
        if (!Hls.isSupported()) throw new Error('This browser has neither HLS playback nor Media Source Extensions.');
        const hls: HlsInstance = new Hls({ enableWorker: false, capLevelToPlayerSize: false });
        hls.on(Hls.Events.MANIFEST_PARSED, () => {
          const ls = hls.levels.map((l) => ({ height: l.height, width: l.width, bitrate: l.bitrate }));
          if (engine.current) engine.current.levels = ls;
          setLevels(ls);
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (data.fatal) setError(`HLS playback failed: ${data.details}`);
        });
        hls.loadSource(src);
        hls.attachMedia(el);
        engine.current = { native: false, levels: [], setLevel: (i) => (hls.currentLevel = i), destroy: () => hls.destroy() };
        setNative(false);
        return;
      }
      const dashjs = await import('dashjs');
      if (cancelled) return;
      const player: DashPlayer = dashjs.MediaPlayer().create();
      player.initialize(el, src, false);
      const E = dashjs.MediaPlayer.events;
      player.on(E.STREAM_INITIALIZED, () => {
        const ls = player.getRepresentationsByType('video').map((r) => ({ height: r.height, width: r.width, bitrate: r.bandwidth }));
        if (engine.current) engine.current.levels = ls;
        setLevels(ls);
      });
      player.on(E.ERROR, (e: unknown) => setError(`DASH playback failed: ${JSON.stringify((e as { error?: unknown }).error ?? e).slice(0, 200)}`));
      engine.current = {
        native: false,
        levels: [],
        setLevel: (i) => {
          player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: i < 0 } } } });
          if (i >= 0) player.setRepresentationForTypeByIndex('video', i, true);
        },
        destroy: () => player.destroy(),
      };
      setNative(false);
    };
    start()
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
      engine.current?.destroy();
      engine.current = null;
    };
  }, [mode, src]);

  const chooseRung = (id: string) => {
    setRung(id);
    const e = engine.current;
    if (!e) return;
    if (id === 'auto') return e.setLevel(-1);
    const r = props.renditions.find((x) => x.id === id);
    const i = r ? levelIndexFor(e.levels, r) : -1;
    if (i >= 0) e.setLevel(i);
  };

  const rungs = [...props.renditions].sort((a, b) => b.bitrateKbps - a.bitrateKbps);
  return (
    <div class="m-player">
      <video ref={video} data-testid="player" controls playsInline preload="metadata" poster={outputs.poster?.url} aria-label="Job output player" />
      <div class="m-player-controls">
        {outputs.thumbnailsVtt ? <SeekPreview video={video} vtt={outputs.thumbnailsVtt} sprite={outputs.sprite} /> : null}
        {outputs.hls && outputs.dash ? (
          <fieldset style={{ border: 'none', padding: 0, margin: 0, display: 'flex', gap: '0.5rem' }}>
            <legend class="m-sr-only">Streaming format</legend>
            <label>
              <input type="radio" name="m-format" value="hls" checked={mode === 'hls'} onChange={() => setMode('hls')} data-testid="format-hls" /> HLS
            </label>
            <label>
              <input type="radio" name="m-format" value="dash" checked={mode === 'dash'} onChange={() => setMode('dash')} data-testid="format-dash" /> DASH
            </label>
          </fieldset>
        ) : null}
        <label>
          Rendition{' '}
          <select data-testid="rung-select" value={rung} disabled={loading} onChange={(e) => chooseRung((e.currentTarget as HTMLSelectElement).value)}>
            <option value="auto">auto (ABR)</option>
            {rungs.map((r) => (
              <option key={r.id} value={r.id}>
                {rungLabel(r)}
              </option>
            ))}
          </select>
        </label>
        {levels.length ? (
          <span class="m-muted" data-testid="player-engine">
            {native ? "browser's own HLS" : mode === 'hls' ? 'hls.js' : 'dash.js'} · {levels.length} renditions in the manifest
          </span>
        ) : null}
        {loading ? <span class="m-muted">Loading player…</span> : null}
      </div>
      {error ? (
        <p class="m-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A seek bar that previews the sprite tile under the pointer (and seeks on input). */
function SeekPreview(props: { video: { current: HTMLVideoElement | null }; vtt: { key: string; url: string }; sprite: { key: string; url: string } | null }) {
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  const [duration, setDuration] = useState(0);
  const [time, setTime] = useState(0);
  const [hover, setHover] = useState<{ t: number; left: number } | null>(null);
  useEffect(() => {
    let alive = true;
    fetch(props.vtt.url, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : ''))
      .then((t) => alive && setCues(parseThumbnailsVtt(t)))
      .catch(() => alive && setCues([]));
    return () => {
      alive = false;
    };
  }, [props.vtt.url]);
  useEffect(() => {
    const el = props.video.current;
    if (!el) return;
    const onMeta = () => setDuration(Number.isFinite(el.duration) ? el.duration : 0);
    const onTime = () => setTime(el.currentTime);
    el.addEventListener('loadedmetadata', onMeta);
    el.addEventListener('durationchange', onMeta);
    el.addEventListener('timeupdate', onTime);
    return () => {
      el.removeEventListener('loadedmetadata', onMeta);
      el.removeEventListener('durationchange', onMeta);
      el.removeEventListener('timeupdate', onTime);
    };
  }, [props.video]);
  const total = duration || cues.at(-1)?.end || 0;
  const cue = hover ? cueAt(cues, hover.t) : null;
  const move = (e: PointerEvent) => {
    const el = e.currentTarget as HTMLElement;
    const rect = el.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (e.clientX - rect.left) / Math.max(1, rect.width)));
    setHover({ t: ratio * total, left: ratio * rect.width });
  };
  return (
    <div class="m-seek" data-testid="seek-preview">
      {cue && hover ? (
        <div
          class="m-seek-preview"
          data-testid="seek-thumbnail"
          style={{
            left: `${hover.left}px`,
            width: `${cue.w}px`,
            height: `${cue.h}px`,
            backgroundImage: `url("${cueImageUrl(cue.image, props.vtt.url, props.sprite)}")`,
            backgroundPosition: `-${cue.x}px -${cue.y}px`,
          }}
        >
          <span>{formatDuration(hover.t)}</span>
        </div>
      ) : null}
      <input
        type="range"
        min={0}
        max={total || 1}
        step={0.1}
        value={time}
        aria-label="Seek (hover for a preview)"
        aria-valuetext={`${formatDuration(time)} of ${formatDuration(total)}`}
        onPointerMove={move}
        onPointerLeave={() => setHover(null)}
        onFocus={() => setHover({ t: time, left: 0 })}
        onBlur={() => setHover(null)}
        onInput={(e) => {
          const t = Number((e.currentTarget as HTMLInputElement).value);
          const el = props.video.current;
          if (el) el.currentTime = t;
          setTime(t);
        }}
      />
    </div>
  );
}
