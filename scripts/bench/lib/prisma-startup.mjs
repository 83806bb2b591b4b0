// Run as its own process by bench:status: where a fresh CLI process spends its time before the first answer
// (imports, the database checks every command makes, Prisma's connect and first queries). Prints one JSON
// object of cumulative milliseconds.
import { performance } from 'node:perf_hooks';
import { fromDist } from './dist.mjs';

const phases = {};
const mark = (name) => (phases[name] = Math.round(performance.now()));
mark('node_ready');
const { ensureDatabase } = await fromDist('db/server.js');
const { applyPendingMigrations } = await fromDist('db/migrate.js');
mark('imported_db_modules');
const { createDb } = await fromDist('db/client.js');
mark('imported_prisma_client');
const url = process.env.DATABASE_URL;
await ensureDatabase(url);
await applyPendingMigrations(url);
mark('database_checked');
const db = createDb(url);
await db.$connect();
mark('prisma_connected');
const repo = await fromDist('queue/repository.js');
// The queue speaks pg's query interface; over Prisma here, to time Prisma's connect and first queries.
const { queryableOverPrisma } = await fromDist('db/queryable.js');
const q = queryableOverPrisma(db);
await repo.listJobs(q, {});
mark('first_query');
await Promise.all([repo.countByStatus(q), repo.liveWorkers(q)]);
mark('status_queries_done');
await repo.listJobs(q, {});
mark('same_query_again');
await db.$disconnect();
process.stdout.write(`${JSON.stringify(phases)}\n`);
