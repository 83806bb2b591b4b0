import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PRISMA_DIR = join(root, 'prisma');
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = join(PRISMA_DIR, 'schema.prisma');
/**
 * The schema as of the newest migration. New migrations are the diff from it to schema.prisma, computed
 * from the two texts alone: the engine's introspection of a live database (what `migrate dev` replays into a
 * shadow database) fails through the driver adapter on PostgreSQL's internal "char" columns.
 */
export const SNAPSHOT_PATH = join(MIGRATIONS_DIR, 'schema.snapshot.prisma');
