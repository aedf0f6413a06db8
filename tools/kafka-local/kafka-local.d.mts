// Types for kafka-local.mjs (dev/test-only local Kafka launcher).

export declare const KAFKA_VERSION: '3.9.1';
/** Absolute path of the repository root. */
export declare const REPO_ROOT: string;
/** `<repo>/.cache/kafka-3.9.1`: the resolved classpath lives in its `lib/`. */
export declare const CACHE_DIR: string;

export interface StartKafkaOptions {
  /** Holds server.properties, the KRaft log dirs and the log. Default: a new temp dir, removed when this process exits. */
  dataDir?: string;
  /** PLAINTEXT listener port. Default: a free port. */
  port?: number;
  /** CONTROLLER listener port. Default: a free port. */
  controllerPort?: number;
  /** Broker log (log4j and JVM output). Default: `<dataDir>/kafka.log`. */
  logFile?: string;
  /** No progress lines on stderr. */
  quiet?: boolean;
  /** Let the broker outlive this process (used by `cli.mjs start`). Default false: it is killed when this process exits. */
  detached?: boolean;
  /** How long to wait for an admin client to list topics. Default 120 000 ms. */
  readyTimeoutMs?: number;
}

export interface KafkaHandle {
  /** `127.0.0.1:<port>`, ready for kafkajs `brokers: [handle.brokers]`. */
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  /** pid of the current JVM (changes on restart). */
  readonly pid: number | undefined;
  readonly dataDir: string;
  readonly logFile: string;
  /** SIGTERM, SIGKILL after 20 s; resolves once the JVM has exited. No-op when already stopped. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) to the JVM without waiting; `restart()` waits for the exit. */
  kill(signal?: NodeJS.Signals): void;
  /** Stops the broker if it runs, then starts it again on the same ports and data dir and waits until ready. */
  restart(): Promise<void>;
}

/** Resolves the broker classpath into `.cache/kafka-3.9.1/lib` with Maven on first use; returns that directory. */
export declare function ensureKafkaJars(options?: { quiet?: boolean }): Promise<string>;

/** Starts a single-node KRaft broker+controller and resolves once an admin client can list topics. */
export declare function startKafka(options?: StartKafkaOptions): Promise<KafkaHandle>;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export declare function freePort(): Promise<number>;

/** True when `pid` is a `kafka.Kafka` JVM (optionally one started with that server.properties). */
export declare function isKafkaProcess(pid: number, serverProperties?: string): boolean;

/** Stops a broker known only by pid: SIGTERM, SIGKILL after the grace period. False if pid is no broker. */
export declare function stopKafkaPid(pid: number, options?: { graceMs?: number }): Promise<boolean>;
