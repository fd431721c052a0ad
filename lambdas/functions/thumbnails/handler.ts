import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { ThumbnailsInputSchema, ThumbnailsResultSchema, TransientError } from '../../contracts/index.js';
import { posterArgs, spriteArgs } from '../../core/ffmpeg-args.js';
import { planSprite, spriteVtt } from '../../core/thumbnails.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const MAX_TILES = 100;
/** 10 % in, but never past the last frame: short clips (one frame, 0.1 s) take the first. */
const posterTime = (durationSec: number) => (durationSec >= 2 ? durationSec * 0.1 : 0);

export default defineMediaFunction({
  ...config,
  input: ThumbnailsInputSchema,
  output: ThumbnailsResultSchema,
  stage: (i) => ({ source: i.source.key }),
  async run(input, ctx) {
    const prefix = `${input.outputPrefix}thumbnails/`;
    const poster = join(ctx.scratch, 'poster.jpg');
    const posterHeight = Math.min(720, Math.floor(input.sourceHeight / 2) * 2);
    await ctx.ffmpeg(posterArgs({ source: ctx.inputs.source, output: poster, atSec: posterTime(input.durationSec), height: posterHeight }));
    const layout = planSprite({ ...input, maxTiles: MAX_TILES });
    const sprite = join(ctx.scratch, 'sprite.jpg');
    await ctx.ffmpeg(spriteArgs({ source: ctx.inputs.source, output: sprite, ...layout }), { totalSeconds: input.durationSec });
    if (!existsSync(sprite)) throw new TransientError(`ffmpeg wrote no sprite sheet (${layout.count} tiles every ${layout.intervalSec} s)`);
    const vtt = join(ctx.scratch, 'thumbnails.vtt');
    await writeFile(vtt, spriteVtt(layout, 'sprite.jpg', input.durationSec));
    ctx.output(poster, `${prefix}poster.jpg`, 'image/jpeg');
    ctx.output(sprite, `${prefix}sprite.jpg`, 'image/jpeg');
    ctx.output(vtt, `${prefix}thumbnails.vtt`, 'text/vtt');
    return { posterKey: `${prefix}poster.jpg`, spriteKey: `${prefix}sprite.jpg`, vttKey: `${prefix}thumbnails.vtt`, count: layout.count };
  },
});
