import type { Registry } from 'prom-client';

/** One labelled series of a histogram: observations at or below each bucket bound, their sum and count. */
export interface HistogramSeries {
  labels: Record<string, string>;
  /** Cumulative counts, one per bound of the histogram's `buckets`, in order. */
  cumulative: number[];
  sum: number;
  count: number;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram whose buckets are counted elsewhere (in SQL, over every stored run) and read at
 * scrape time. prom-client's Histogram only counts observations made in this process; this one
 * renders the same text format from counts that every instance reads alike.
 */
export class StoredHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly buckets: number[];
  private readonly read: () => Promise<HistogramSeries[]>;

  constructor(options: {
    name: string;
    help: string;
    buckets: number[];
    read: () => Promise<HistogramSeries[]>;
    registers: Registry[];
  }) {
    this.name = options.name;
    this.help = options.help;
    this.buckets = options.buckets;
    this.read = options.read;
    // A structural stand-in for prom-client's Metric: the registry calls get() and reset() only.
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: Sample[];
  }> {
    const values: Sample[] = [];
    for (const series of await this.read()) {
      this.buckets.forEach((le, i) => {
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...series.labels, le },
          value: series.cumulative[i] ?? series.count,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...series.labels, le: '+Inf' },
        value: series.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing is held between scrapes. */
  reset(): void {}
}
