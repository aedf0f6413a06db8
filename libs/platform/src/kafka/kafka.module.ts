import { DynamicModule, Global, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { KafkaAdminService } from './kafka-admin.service';
import { kafkaLogCreator } from './kafka-log-creator';
import { KafkaProducerService } from './kafka-producer.service';
import { KAFKA_CLIENT, KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';
import { MessageIntake } from './message-intake';

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          useFactory: () =>
            new Kafka({
              clientId: options.clientId,
              brokers: options.brokers,
              logCreator: kafkaLogCreator,
              connectionTimeout: 3000,
              requestTimeout: 10000,
            }),
        },
        KafkaAdminService,
        KafkaProducerService,
        DeadLetterPublisher,
        MessageIntake,
      ],
      exports: [
        KAFKA_OPTIONS,
        KAFKA_CLIENT,
        KafkaAdminService,
        KafkaProducerService,
        DeadLetterPublisher,
        MessageIntake,
      ],
    };
  }
}
