import type { MetricsApi } from './ports';

/** The query for recordings not yet processed, per server (bigbluebutton-exporter's gauge, labelled by the scrape). */
export const UNPROCESSED_RECORDINGS_QUERY = 'sum by (server) (bbb_recordings_unprocessed)';

/** Reads what the autoscaler needs from Prometheus' HTTP API (`GET /api/v1/query`). */
export class PrometheusClient implements MetricsApi {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async unprocessedRecordings(): Promise<Map<string, number>> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('query', UNPROCESSED_RECORDINGS_QUERY);
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as PrometheusAnswer | undefined;
    if (!response.ok || body?.status !== 'success')
      throw new Error(`Prometheus query ${UNPROCESSED_RECORDINGS_QUERY} failed: ${response.status} ${body?.error ?? ''}`.trim());
    if (body.data?.resultType !== 'vector') throw new Error(`Prometheus answered a ${body.data?.resultType} where a vector was asked`);
    const result = new Map<string, number>();
    for (const sample of body.data.result) {
      const server = sample.metric.server;
      const value = Number(sample.value[1]);
      if (server !== undefined && Number.isFinite(value)) result.set(server.toLowerCase(), value);
    }
    return result;
  }
}

interface PrometheusAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}
