/** The quality report: per rung its resolution, bitrate, size and PSNR/SSIM/VMAF. */
import { formatBytes, formatKbps, formatScore } from '../lib/format.ts';
import type { RenditionLike } from '../lib/ladder.ts';

export function ReportTable(props: { renditions: readonly RenditionLike[]; vmafUnavailableReason?: string | null }) {
  const rows = [...props.renditions].sort((a, b) => b.bitrateKbps - a.bitrateKbps);
  const total = rows.reduce((n, r) => n + (r.bytes ?? 0), 0);
  return (
    <div class="m-scroll-x">
      <table class="m-table" data-testid="report-table">
        <caption class="m-sr-only">Renditions and their quality</caption>
        <thead>
          <tr>
            <th scope="col">Rung</th>
            <th scope="col">Resolution</th>
            <th scope="col" class="m-num">Bitrate</th>
            <th scope="col" class="m-num">Size</th>
            <th scope="col" class="m-num">PSNR (dB)</th>
            <th scope="col" class="m-num">SSIM</th>
            <th scope="col" class="m-num">VMAF</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-rung={r.id}>
              <th scope="row">{r.id}</th>
              <td>
                {r.width}×{r.height}
              </td>
              <td class="m-num">{formatKbps(r.bitrateKbps)}</td>
              <td class="m-num">{formatBytes(r.bytes ?? null)}</td>
              <td class="m-num">{formatScore(r.psnr)}</td>
              <td class="m-num">{formatScore(r.ssim, 4)}</td>
              <td class="m-num" title={r.vmaf === null && props.vmafUnavailableReason ? props.vmafUnavailableReason : undefined}>
                {formatScore(r.vmaf)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total
            </th>
            <td class="m-num">{formatBytes(total)}</td>
            <td colSpan={3} />
          </tr>
        </tfoot>
      </table>
      {props.vmafUnavailableReason ? <p class="m-muted">VMAF unavailable: {props.vmafUnavailableReason}</p> : null}
    </div>
  );
}
