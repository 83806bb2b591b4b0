export interface PgBouncer {
  port: number;
  /** The URL of `database` through the pooler. */
  url(database: string): string;
  stop(): Promise<void>;
}
export function pgbouncerBinary(): string | undefined;
export function startPgBouncer(serverUrl: string, options?: { poolSize?: number }): Promise<PgBouncer>;
