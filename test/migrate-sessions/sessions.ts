import type { Db } from '../../src/db/client.js';
import type { ParsingStatus } from '../../src/legacy/statuses.js';

// Legacy ParsingSession rows as the old app left them, written straight into a test database.

export interface SessionSeed {
  status: ParsingStatus;
  filename?: string;
  rawText?: string;
  playbookId?: string;
  currentChunk?: number;
  totalChunks?: number;
  title?: string | null;
  author?: string | null;
  year?: number | null;
  genre?: string | null;
  description?: string | null;
  /** Any JSON value; undefined leaves the column empty. */
  currentState?: unknown;
  startedAt?: Date;
  completedAt?: Date | null;
  failureReason?: string | null;
}

export async function insertSession(db: Db, seed: SessionSeed): Promise<string> {
  const row = await db.parsingSession.create({
    data: {
      status: seed.status,
      filename: seed.filename ?? `${seed.status}.txt`,
      // A text of its own per session, so sessions are no duplicates of each other unless a test says so.
      rawText: seed.rawText ?? `ACT I\n\nHAMLET. Text of a ${seed.status} session (${seed.filename ?? 'unnamed'}, ${Math.random().toString(36).slice(2, 8)}).\n`,
      playbookId: seed.playbookId ?? `pb-${seed.status}-${Math.random().toString(36).slice(2, 8)}`,
      currentChunk: seed.currentChunk ?? 0,
      totalChunks: seed.totalChunks ?? 4,
      title: seed.title,
      author: seed.author,
      year: seed.year,
      genre: seed.genre,
      description: seed.description,
      currentState: seed.currentState as never,
      startedAt: seed.startedAt,
      completedAt: seed.completedAt,
      failureReason: seed.failureReason,
    },
    select: { id: true },
  });
  return row.id;
}

/** `count` small sessions made by the database itself, cycling through every status. */
export async function insertManySessions(db: Db, count: number, filenamePrefix = 'bulk'): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "ParsingSession" (id, "playbookId", filename, "rawText", status, "currentChunk", "totalChunks",
                                  title, "currentState", "startedAt")
    SELECT gen_random_uuid()::text, 'pb-' || i, ${filenamePrefix} || '-' || i || '.txt',
           'ACT I' || chr(10) || chr(10) || 'HAMLET. Speech number ' || i || '.' || chr(10),
           (ARRAY['pending','warming','parsing','completed','failed','aborted'])[1 + i % 6]::"ParsingStatus",
           i % 3, 3, 'Play ' || i, CASE WHEN i % 6 = 2 THEN jsonb_build_object('chunk', i % 3) END,
           now() - make_interval(secs => i)
    FROM generate_series(1, ${count}::int) AS i`;
}

/** A short real play: two speakers, two scenes, in the layout the rules parser reads. */
export function smallPlay(title: string, a: string, b: string): string {
  return `${title}\n\nACT I\n\nSCENE 1\n\n${a}. Good morning, ${b.toLowerCase()}.\n\n${b}. Good morning. Is it morning still?\n\n` +
    `${a}. It is, and it will be for an hour yet.\n\nSCENE 2\n\n${b}. The hour is gone.\n\n${a}. So it is.\n`;
}

/** A play of about `bytes` characters, speeches in the `NAME. text` layout under an act heading. */
export function largePlay(bytes: number): string {
  const speech = 'HAMLET. To be, or not to be, that is the question: whether tis nobler in the mind to suffer.\n\n';
  return 'ACT I\n\n' + speech.repeat(Math.ceil(bytes / speech.length));
}

/** Makes every insert of a job for `filename` fail, as a constraint or a full disk would. */
export async function refuseJobsFor(db: Db, filename: string): Promise<void> {
  await db.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION test_refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.filename = '${filename.replace(/'/g, "''")}' THEN RAISE EXCEPTION 'refusing a job for %', NEW.filename; END IF;
      RETURN NEW;
    END $$`);
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_job ON "ParseJob"`);
  await db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_job BEFORE INSERT ON "ParseJob" FOR EACH ROW EXECUTE FUNCTION test_refuse_job()`);
}

export async function acceptAllJobs(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_job ON "ParseJob"`);
}

/** Session ids in the order migrate-sessions reads them. */
export async function sessionIdsInOrder(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`SELECT id FROM "ParsingSession" ORDER BY id`;
  return rows.map((r) => r.id);
}
