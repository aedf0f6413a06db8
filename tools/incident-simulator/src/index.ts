// The simulator's public face for in-process use (tests, the local dev runner).
export { DEFAULT_GROUP_ID, IncidentSimulator } from './incident-simulator';
export type { IncidentSimulatorOptions, StartedSimulator } from './incident-simulator';
export type { HistoryEntry, IncidentDetails, IncidentView } from './incident-record';
export type { IncidentStatus } from './incident-state-machine';
export type { SyncEventRecord } from './sync-event-log';
export { SYNC_OUTCOMES } from './sync-policy';
export type { SyncOutcome } from './sync-policy';
export { jsonLogger, silentLogger } from './simulator-logger';
export type { SimulatorLogger } from './simulator-logger';
