/** x264/x265 speed presets, fastest first, and the encoder settings of each that cost memory. */
import { InputInvalidError } from '../../contracts/index.js';

export const ENCODER_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;
export type EncoderPreset = (typeof ENCODER_PRESETS)[number];

/** x264's rc-lookahead, ref and bframes per preset (x264 --fullhelp); non-decreasing from fast to slow. */
export const PRESET_BUFFERS: Record<EncoderPreset, { lookahead: number; refs: number; bframes: number }> = {
  ultrafast: { lookahead: 0, refs: 1, bframes: 0 },
  superfast: { lookahead: 0, refs: 1, bframes: 3 },
  veryfast: { lookahead: 10, refs: 1, bframes: 3 },
  faster: { lookahead: 20, refs: 2, bframes: 3 },
  fast: { lookahead: 30, refs: 2, bframes: 3 },
  medium: { lookahead: 40, refs: 3, bframes: 3 },
  slow: { lookahead: 50, refs: 5, bframes: 3 },
  slower: { lookahead: 60, refs: 8, bframes: 3 },
  veryslow: { lookahead: 60, refs: 16, bframes: 8 },
  placebo: { lookahead: 60, refs: 16, bframes: 16 },
};

export function encoderPreset(name: string): EncoderPreset {
  if ((ENCODER_PRESETS as readonly string[]).includes(name)) return name as EncoderPreset;
  throw new InputInvalidError(`unknown encoder preset "${name}"; known presets: ${ENCODER_PRESETS.join(', ')}`, { encoderPreset: name });
}
