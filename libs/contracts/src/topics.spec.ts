import { TOPICS, TOPIC_SPECS, dlqTopic, isTopic, topicSpecsFor } from './index';

describe('topics', () => {
  it('names the topics of the design', () => {
    expect(TOPICS).toEqual({
      incidents: 'axiorank.incidents.v1',
      alerts: 'axiorank.alerts.v1',
      incidentSync: 'axiorank.incident-sync.v1',
      channels: 'axiorank.channels.v1',
      webhookVerifications: 'axiorank.webhook-verifications.v1',
    });
  });

  it('derives dead-letter topics', () => {
    expect(dlqTopic(TOPICS.incidents)).toBe('axiorank.incidents.v1.dlq');
  });

  it('creates incidents, alerts and incident-sync with 6 partitions', () => {
    for (const topic of [TOPICS.incidents, TOPICS.alerts, TOPICS.incidentSync]) {
      expect(TOPIC_SPECS[topic]).toEqual({ topic, numPartitions: 6, configEntries: [] });
    }
  });

  it('creates the channel topic compacted with 3 partitions', () => {
    expect(TOPIC_SPECS[TOPICS.channels]).toEqual({
      topic: TOPICS.channels,
      numPartitions: 3,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    });
    expect(TOPIC_SPECS[TOPICS.webhookVerifications].numPartitions).toBe(3);
  });

  it('creates one-partition dead-letter topics, none compacted', () => {
    for (const topic of Object.values(TOPICS)) {
      expect(TOPIC_SPECS[dlqTopic(topic)]).toEqual({
        topic: dlqTopic(topic),
        numPartitions: 1,
        configEntries: [],
      });
    }
    expect(Object.keys(TOPIC_SPECS)).toHaveLength(10);
  });

  it('lists the specs a service needs, each topic once with its dead-letter topic', () => {
    const specs = topicSpecsFor([TOPICS.channels, TOPICS.incidents, TOPICS.channels]);

    expect(specs.map((spec) => spec.topic)).toEqual([
      'axiorank.channels.v1',
      'axiorank.channels.v1.dlq',
      'axiorank.incidents.v1',
      'axiorank.incidents.v1.dlq',
    ]);
  });

  it('tells topics from other strings', () => {
    expect(isTopic('axiorank.alerts.v1')).toBe(true);
    expect(isTopic('axiorank.alerts.v1.dlq')).toBe(false);
    expect(isTopic('axiorank.alerts.v2')).toBe(false);
  });
});
