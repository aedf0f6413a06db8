import { randomUUID } from 'node:crypto';
import { Controller, INestApplication, Module } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, type MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Kafka, logLevel, Partitioners, type Consumer } from 'kafkajs';
import {
  dlqTopic,
  HEADERS,
  makeIncidentEvent,
  serializeMessage,
  topicSpecsFor,
  TOPICS,
  type IncidentEventV1,
  type MessageHeaders,
} from '@app/contracts';
import { KafkaAdminService } from './kafka-admin.service';
import { kafkaConsumerOptions } from './kafka-consumer.options';
import { KafkaModule } from './kafka.module';
import { MessageIntake, recordOf } from './message-intake';

const brokers = () => (process.env.KAFKA_BROKERS ?? '').split(',');
const received: { message: IncidentEventV1; headers: MessageHeaders }[] = [];

@Controller()
class IncidentProbeController {
  constructor(private readonly intake: MessageIntake) {}

  @EventPattern(TOPICS.incidents)
  async onIncident(@Ctx() context: KafkaContext): Promise<void> {
    await this.intake.receive(TOPICS.incidents, recordOf(context), (message, meta) => {
      received.push({ message, headers: meta.headers });
      return Promise.resolve();
    });
  }
}

describe('Kafka intake through a NestJS handler (real broker)', () => {
  let app: INestApplication;
  const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  let dlqConsumer: Consumer;
  const deadLetters: { key: string | null; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    @Module({
      imports: [
        KafkaModule.forRoot({
          clientId: 'intake-spec',
          brokers: brokers(),
          createTopics: true,
          topics: topicSpecsFor([TOPICS.incidents]),
        }),
      ],
      controllers: [IncidentProbeController],
    })
    class ProbeModule {}

    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice<MicroserviceOptions>(
      kafkaConsumerOptions({
        clientId: 'intake-spec',
        brokers: brokers(),
        groupId: `intake-spec-${randomUUID()}`,
      }),
    );
    await app.init();
    await app.get(KafkaAdminService).ensureTopics();
    await app.startAllMicroservices();
    await producer.connect();

    dlqConsumer = kafka.consumer({ groupId: `intake-spec-dlq-${randomUUID()}` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: dlqTopic(TOPICS.incidents), fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        deadLetters.push({ key: message.key?.toString() ?? null, headers });
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await producer.disconnect();
    await app?.close();
  });

  const waitFor = async (what: string, check: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('delivers a produced message to the handler, validated and typed, with its headers intact', async () => {
    const event = makeIncidentEvent({ incident: { id: `inc_${randomUUID()}` } });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await producer.send({
      topic: TOPICS.incidents,
      messages: [
        {
          key: event.incident.id,
          value: serializeMessage(event),
          headers: {
            [HEADERS.origin]: 'pagerduty',
            [HEADERS.channelId]: 'c0ffee00-0000-4000-8000-000000000001',
            [HEADERS.correlationId]: 'corr-123',
            [HEADERS.traceparent]: traceparent,
          },
        },
      ],
    });
    await waitFor('the handler', () => received.some((r) => r.message.eventId === event.eventId));
    const got = received.find((r) => r.message.eventId === event.eventId)!;
    expect(got.message.incident.title).toBe(event.incident.title);
    expect(got.headers).toEqual({
      origin: 'pagerduty',
      channelId: 'c0ffee00-0000-4000-8000-000000000001',
      correlationId: 'corr-123',
      traceparent,
    });
  });

  it('dead-letters an invalid message with the reason, and the next message on the partition is still handled', async () => {
    const key = `inc_${randomUUID()}`;
    const valid = makeIncidentEvent({ incident: { id: key } });
    const invalid = { ...makeIncidentEvent({ incident: { id: key } }), type: 'incident.exploded' };
    // Same key, same partition: the poison message sits right before the valid one.
    await producer.send({
      topic: TOPICS.incidents,
      messages: [
        { key, value: '{not json' },
        { key, value: JSON.stringify(invalid) },
        { key, value: serializeMessage(valid) },
      ],
    });
    await waitFor('the valid message after the poison ones', () =>
      received.some((r) => r.message.eventId === valid.eventId),
    );
    await waitFor('two dead letters', () => deadLetters.filter((d) => d.key === key).length >= 2);
    const letters = deadLetters.filter((d) => d.key === key);
    expect(letters[0].headers[HEADERS.dlqReason]).toMatch(/^invalid JSON/);
    expect(letters[1].headers[HEADERS.dlqReason]).toMatch(/^type must be one of: incident\.opened/);
    expect(letters[1].headers[HEADERS.dlqSourceTopic]).toBe(TOPICS.incidents);
    expect(received.filter((r) => r.message.incident.id === key)).toHaveLength(1);
  });
});
