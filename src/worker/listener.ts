import pg from 'pg';
import type { Logger } from '../log/logger.js';
import { CONTROL_CHANNEL, JOBS_CHANNEL } from '../queue/notify.js';

// The dedicated LISTEN connection. A pooled connection cannot LISTEN (it goes back to the pool), and a
// notification is only delivered to the session that listens. When it drops, it reconnects with backoff;
// meanwhile the slow poll keeps jobs moving and the heartbeat notices lost leases, and after reconnecting the
// worker is told so it can catch up on whatever it missed.

export interface ListenerEvents {
  onJobs(): void;
  onControl(jobId: string): void;
  onReconnected(): void;
}

export interface Listener {
  close(): Promise<void>;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

export async function startListener(connectionString: string, log: Logger, events: ListenerEvents): Promise<Listener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString, application_name: 'playbuddy-listener', keepAlive: true });
    c.on('notification', (msg) => {
      if (msg.channel === JOBS_CHANNEL) events.onJobs();
      else if (msg.channel === CONTROL_CHANNEL && msg.payload) events.onControl(msg.payload);
    });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${JOBS_CHANNEL}; LISTEN ${CONTROL_CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    client = c;
    retryMs = RETRY_MIN_MS;
  }

  function lost(c: pg.Client, err?: Error): void {
    if (closed || client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    log.warn({ err: err?.message }, 'lost the notification connection; reconnecting (polling meanwhile)');
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(async () => {
      retryTimer = undefined;
      try {
        await connect();
        log.info('notification connection restored');
        events.onReconnected();
      } catch (err) {
        log.debug({ err: (err as Error).message, retryMs }, 'notification connection still down');
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
        scheduleReconnect();
      }
    }, retryMs);
    retryTimer.unref();
  }

  await connect();
  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
