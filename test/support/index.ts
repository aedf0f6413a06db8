export * from './auth';
export * from './infra';
export * from './private-kafka';
export * from './service-process';
export * from './infra-servers';
export * from './scratch-database';
