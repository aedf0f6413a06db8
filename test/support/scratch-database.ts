import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { pgServerUrl } from './infra';

/**
 * A database of a suite's own on the test server: row counts and commands that walk every row
 * (the re-seal) meet no other suite's data, and the suite can make it unreachable.
 */
export class ScratchDatabase {
  private constructor(
    private readonly serverUrl: string,
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(prefix: string, serverUrl = pgServerUrl()): Promise<ScratchDatabase> {
    const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
    await ScratchDatabase.asAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return new ScratchDatabase(serverUrl, name, url.toString());
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.client();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** A plain client on this database, e.g. to hold a lock. */
  async client(): Promise<Client> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    return client;
  }

  /** Refuses new connections and ends every open one, as when the server goes away. */
  async cutOff(): Promise<void> {
    await ScratchDatabase.asAdmin(this.serverUrl, async (admin) => {
      await admin.query(`ALTER DATABASE "${this.name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [this.name],
      );
    });
  }

  async reconnect(): Promise<void> {
    await ScratchDatabase.asAdmin(this.serverUrl, (admin) =>
      admin.query(`ALTER DATABASE "${this.name}" WITH ALLOW_CONNECTIONS true`),
    );
  }

  async drop(): Promise<void> {
    await ScratchDatabase.asAdmin(this.serverUrl, (admin) =>
      admin.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    );
  }

  private static async asAdmin<T>(
    serverUrl: string,
    work: (admin: Client) => Promise<T>,
  ): Promise<T> {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.end();
    }
  }
}
