/**
 * What the job costs on AWS: the plan's estimate (the steps' compute) against the compute the run
 * measured, then the whole actual cost with the requests, transitions, events and writes the
 * estimate does not model, by service.
 */
import type { JobView } from '../../../lambdas/contracts/api.ts';
import { formatUsd } from '../lib/format.ts';

export function CostPanel(props: { cost: JobView['cost'] }) {
  const c = props.cost;
  const total = c.breakdown.reduce((n, l) => n + l.usd, 0);
  // Like for like: the estimate prices compute only.
  const compute = c.breakdown.length ? c.breakdown.filter((l) => l.unit === 'seconds').reduce((n, l) => n + l.usd, 0) : c.actualUsd;
  const diff = c.estimatedUsd !== null && compute !== null && c.estimatedUsd > 0 ? (compute - c.estimatedUsd) / c.estimatedUsd : null;
  return (
    <div data-testid="cost-panel">
      <dl class="m-kv">
        <dt>Estimated compute</dt>
        <dd data-testid="cost-estimated">{formatUsd(c.estimatedUsd)}</dd>
        <dt>Actual compute</dt>
        <dd data-testid="cost-compute">
          {formatUsd(compute)}
          {diff !== null ? <span class="m-muted"> ({diff >= 0 ? '+' : ''}{Math.round(diff * 100)}% vs estimate)</span> : null}
        </dd>
        <dt>Actual, all services</dt>
        <dd data-testid="cost-actual">{formatUsd(c.actualUsd)}</dd>
        <dt>Prices</dt>
        <dd>
          {c.region ?? '—'}
          {c.pricesTakenOn ? `, taken on ${c.pricesTakenOn}` : ''}
        </dd>
      </dl>
      {c.breakdown.length ? (
        <div class="m-scroll-x">
          <table class="m-table" data-testid="cost-breakdown">
            <caption class="m-sr-only">Actual cost by service</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Item</th>
                <th scope="col" class="m-num">Quantity</th>
                <th scope="col" class="m-num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {c.breakdown.map((l, i) => (
                <tr key={i}>
                  <td>{l.service}</td>
                  <td>{l.item}</td>
                  <td class="m-num">
                    {+l.quantity.toPrecision(6)} {l.unit}
                  </td>
                  <td class="m-num">{formatUsd(l.usd)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  Total
                </th>
                <td class="m-num">{formatUsd(total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      ) : (
        <p class="m-muted">The breakdown appears when the job has ended.</p>
      )}
    </div>
  );
}
