import { MetricsScrape, parsePrometheusText } from './prometheus-scrape';

// A piece of prom-client's exposition (format 0.0.4), as the consumer serves it.
const EXPOSITION = `# HELP async2_fenced_total Partitions this instance was fenced from
# TYPE async2_fenced_total counter
async2_fenced_total{partition="0"} 1
async2_fenced_total{partition="2"} 2
# TYPE async2_paused_partitions gauge
async2_paused_partitions{reason="buffer-full"} 0
async2_paused_partitions{reason="fenced"} 1
async2_consumer_process_start_time_seconds 1764520000
odd_label{text="a \\"quoted\\" word\\nnext"} 7
`;

describe('parsePrometheusText', () => {
  it('reads names, labels and values, skipping comments', () => {
    const samples = parsePrometheusText(EXPOSITION);
    expect(samples).toHaveLength(6);
    expect(samples[0]).toEqual({ name: 'async2_fenced_total', labels: { partition: '0' }, value: 1 });
    expect(samples[4]).toEqual({ name: 'async2_consumer_process_start_time_seconds', labels: {}, value: 1764520000 });
    expect(samples[5].labels.text).toBe('a "quoted" word\nnext');
  });

  it('refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('<html>not metrics</html>')).toThrow(/not a sample line/);
  });

  it('sums the series that match some labels', () => {
    const scrape = new MetricsScrape(parsePrometheusText(EXPOSITION));
    expect(scrape.sum('async2_fenced_total')).toBe(3);
    expect(scrape.sum('async2_paused_partitions', { reason: 'fenced' })).toBe(1);
    expect(scrape.series('async2_fenced_total', { partition: '2' })).toEqual([{ name: 'async2_fenced_total', labels: { partition: '2' }, value: 2 }]);
  });
});
