import type { SourceRecord } from '@async2/data-access';
import { visibilityLag } from '../platform/consumer.metrics';
import { FlushWindow } from './flush-window';

const traced = (n: number): SourceRecord => ({ partition: 0, key: null, value: null, offset: n, timestamp: 0, headers: { traceparent: Buffer.from(`00-${String(n).padStart(32, '0')}-${'1'.padStart(16, '0')}-01`) } });

async function lagCount(partition: string): Promise<number> {
  const metric = await visibilityLag.get();
  return metric.values.find((v) => v.metricName?.endsWith('_count') && v.labels.partition === partition)?.value ?? 0;
}

describe('FlushWindow', () => {
  it('hands each flush the trace headers folded before it started, and keeps the newer ones for the next flush', () => {
    const window = new FlushWindow(91);
    window.record(traced(1), 1);
    window.record(traced(2), 2);
    const first = window.takeSampledHeaders();
    window.record(traced(3), 3);
    expect(first.map((h) => String(h.traceparent))).toEqual([String(traced(1).headers.traceparent), String(traced(2).headers.traceparent)]);
    expect(window.takeSampledHeaders().map((h) => String(h.traceparent))).toEqual([String(traced(3).headers.traceparent)]);
    expect(first).toHaveLength(2); // not emptied by the next take
  });

  it('observes visibility lag only for the records of the committed plan, the records folded during its flush wait for the next commit', async () => {
    const window = new FlushWindow(92);
    window.record(traced(1), 1000);
    window.record(traced(2), 1000);
    const cut = window.cut();
    window.record(traced(3), 1000); // folded while the flush runs
    window.committed(cut, 2000);
    expect(await lagCount('92')).toBe(2);
    window.committed(window.cut(), 3000);
    expect(await lagCount('92')).toBe(3);
  });
});
