import fc from 'fast-check';
import {
  HEADERS,
  MAX_DLQ_REASON_LENGTH,
  ORIGINS,
  buildDlqHeaders,
  buildHeaders,
  readHeaders,
} from './index';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('headers', () => {
  it('uses the header names of the design', () => {
    expect(HEADERS).toEqual({
      origin: 'x-axiorank-origin',
      channelId: 'x-axiorank-channel-id',
      correlationId: 'x-correlation-id',
      traceparent: 'traceparent',
      dlqReason: 'x-dlq-reason',
      dlqSourceTopic: 'x-dlq-source-topic',
      dlqSourcePartition: 'x-dlq-source-partition',
      dlqSourceOffset: 'x-dlq-source-offset',
      dlqFailedAt: 'x-dlq-failed-at',
      dlqValueTruncated: 'x-dlq-value-truncated',
    });
    expect(ORIGINS).toEqual(['axiorank', 'pagerduty']);
  });

  describe('readHeaders', () => {
    it('reads Buffer values as kafkajs delivers them', () => {
      const sut = readHeaders({
        'x-axiorank-origin': Buffer.from('pagerduty'),
        'x-axiorank-channel-id': Buffer.from('0b6f1f4e-8f2a-4d55-9a3e-3f1f1f0c2b11'),
        'x-correlation-id': Buffer.from('corr-1'),
        traceparent: Buffer.from(traceparent),
        'x-unrelated': Buffer.from('x'),
      });

      expect(sut).toEqual({
        origin: 'pagerduty',
        channelId: '0b6f1f4e-8f2a-4d55-9a3e-3f1f1f0c2b11',
        correlationId: 'corr-1',
        traceparent,
      });
    });

    it('reads strings and takes the first of repeated values', () => {
      expect(
        readHeaders({
          'x-axiorank-origin': ['axiorank', 'axiorank'],
          'x-correlation-id': [Buffer.from('a'), 'b'],
        }),
      ).toEqual({ origin: 'axiorank', correlationId: 'a' });
    });

    it('lets a pagerduty origin win among repeated or oddly written values (no loops)', () => {
      expect(readHeaders({ 'x-axiorank-origin': ['axiorank', 'pagerduty'] })).toEqual({
        origin: 'pagerduty',
      });
      expect(readHeaders({ 'x-axiorank-origin': Buffer.from(' PagerDuty ') })).toEqual({
        origin: 'pagerduty',
      });
    });

    it('returns nothing for absent, undefined and empty headers', () => {
      expect(readHeaders(undefined)).toEqual({});
      expect(readHeaders({})).toEqual({});
      expect(readHeaders({ 'x-axiorank-origin': undefined, 'x-correlation-id': '' })).toEqual({});
      expect(readHeaders({ 'x-correlation-id': [] })).toEqual({});
    });

    it('drops an unknown origin and a malformed traceparent', () => {
      expect(
        readHeaders({
          'x-axiorank-origin': 'slack',
          traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        }),
      ).toEqual({});
      expect(readHeaders({ traceparent: 'not-a-trace' })).toEqual({});
      expect(readHeaders({ traceparent: `${traceparent}-extra` })).toEqual({});
    });

    it('tolerates capitalised header names', () => {
      expect(readHeaders({ 'X-Correlation-Id': 'c', Traceparent: traceparent })).toEqual({
        correlationId: 'c',
        traceparent,
      });
    });

    it('never throws on arbitrary header maps', () => {
      const value = fc.oneof(
        fc.string(),
        fc.uint8Array().map((bytes) => Buffer.from(bytes)),
        fc.constant(undefined),
      );
      const raw = fc.dictionary(
        fc.oneof(fc.constantFrom(...Object.values(HEADERS)), fc.string()),
        fc.oneof(
          value,
          fc.array(
            fc.oneof(
              fc.string(),
              fc.uint8Array().map((b) => Buffer.from(b)),
            ),
          ),
        ),
      );
      fc.assert(
        fc.property(raw, (headers) => {
          const sut = readHeaders(headers);
          expect(sut.origin === undefined || ORIGINS.includes(sut.origin)).toBe(true);
        }),
      );
    });
  });

  describe('buildHeaders', () => {
    it('writes the given values and omits undefined ones', () => {
      expect(
        buildHeaders({ origin: 'pagerduty', correlationId: 'c', channelId: undefined }),
      ).toEqual({
        'x-axiorank-origin': 'pagerduty',
        'x-correlation-id': 'c',
      });
      expect(buildHeaders({})).toEqual({});
    });

    it('round-trips through readHeaders', () => {
      const headers = fc.record(
        {
          origin: fc.constantFrom(...ORIGINS),
          channelId: fc.uuid(),
          correlationId: fc.string({ minLength: 1 }),
          traceparent: fc.constant(traceparent),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(headers, (values) => {
          const built = buildHeaders(values);
          const asKafka = Object.fromEntries(
            Object.entries(built).map(([name, value]) => [name, Buffer.from(value)]),
          );
          expect(readHeaders(asKafka)).toEqual(values);
        }),
      );
    });
  });

  describe('buildDlqHeaders', () => {
    it('writes the source coordinates, reason and time', () => {
      const sut = buildDlqHeaders({
        reason: 'invalid JSON: Unexpected end of JSON input',
        sourceTopic: 'axiorank.incidents.v1',
        sourcePartition: 4,
        sourceOffset: '1234',
        failedAt: new Date('2026-12-04T10:00:00Z'),
      });

      expect(sut).toEqual({
        'x-dlq-reason': 'invalid JSON: Unexpected end of JSON input',
        'x-dlq-source-topic': 'axiorank.incidents.v1',
        'x-dlq-source-partition': '4',
        'x-dlq-source-offset': '1234',
        'x-dlq-failed-at': '2026-12-04T10:00:00.000Z',
      });
    });

    it('caps the reason length', () => {
      const sut = buildDlqHeaders({
        reason: 'x'.repeat(5000),
        sourceTopic: 't',
        sourcePartition: 0,
        sourceOffset: '0',
      });

      expect(sut[HEADERS.dlqReason]).toHaveLength(MAX_DLQ_REASON_LENGTH);
      expect(sut[HEADERS.dlqReason].endsWith('…')).toBe(true);
      expect(Number.isNaN(Date.parse(sut[HEADERS.dlqFailedAt]))).toBe(false);
    });
  });
});
