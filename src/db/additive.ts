import type pg from 'pg';

// playbuddy shares its database with the theatre-play-buddy app, whose tables may already hold some or all
// of what a migration creates (the app made Playbook…ParsingSession, and an older ParseJob). So a migration's
// SQL is never run as written: it is read as a list of objects to add, and only those missing from the live
// database are created. Nothing is ever retyped or rewritten, and nothing the app owns is ever dropped; a
// migration that would do so is refused when it is read, before anything runs.
//
// What a step may drop is what playbuddy added itself, to replace it with something better:
// - an index (by a partial one, say) on a table only the queue owns (ParseJob, JobEvent, Worker) that is not
//   one of the indexes those tables have in the app's schema and the design (QUEUE_DESIGN_INDEXES), nor the
//   index of a constraint. The name is checked when the migration is read; the table the index is on is
//   looked up in the live database when the step runs, and anything else is refused there, so an index of
//   the app's that happens to carry such a name is never touched;
// - a constraint other than the primary key on a table the app never had (JobEvent, Worker: playbuddy
//   created them, so every constraint on them is playbuddy's).
// Besides tables, columns, indexes and constraints, a step may add trigger functions in playbuddy's own
// namespace (named `playbuddy_…`, so never one of the app's) and triggers on the queue's tables.

export type Operation =
  | { kind: 'schema'; name: string; sql: string }
  | { kind: 'enum'; name: string; values: string[]; sql: string }
  | { kind: 'table'; name: string; columns: Column[]; constraints: Array<{ name: string; sql: string }>; sql: string }
  | { kind: 'column'; table: string; column: Column }
  | { kind: 'index'; name: string; table: string; sql: string }
  | { kind: 'constraint'; table: string; name: string; sql: string }
  | { kind: 'dropIndex'; name: string }
  | { kind: 'dropConstraint'; table: string; name: string }
  | { kind: 'function'; name: string; sql: string }
  | { kind: 'trigger'; name: string; table: string; sql: string };

/** The tables only the queue owns: the app reads them, but indexes playbuddy added to them are its own. */
const QUEUE_TABLES = ['ParseJob', 'JobEvent', 'Worker'];

/** The queue tables the app's schema never had: playbuddy created them and everything on them. */
const OWN_TABLES = ['JobEvent', 'Worker'];

/** The queue tables' indexes in the app's schema (its ParseJob) and the design: never dropped. */
const QUEUE_DESIGN_INDEXES = [
  'ParseJob_status_priority_createdAt_idx',
  'ParseJob_workerId_idx',
  'ParseJob_playbookId_idx',
  'JobEvent_jobId_createdAt_idx',
];

export interface Column {
  name: string;
  /** The column's definition as Prisma wrote it: `"name" TYPE [NOT NULL] [DEFAULT …]`. */
  definition: string;
}

/** A statement that changes the database, with what it does in words (for errors and `db status`). */
export interface Action {
  description: string;
  sql: string;
}

export class NotAdditiveError extends Error {}

function notAdditive(stmt: string): NotAdditiveError {
  return new NotAdditiveError(
    `this statement does not only add to the database, and playbuddy never drops or changes what the app owns: ${stmt.split('\n')[0]}`,
  );
}

const IDENT = String.raw`"((?:[^"]|"")+)"`;

/** Reads the SQL of one migration as Prisma writes it; throws NotAdditiveError on anything but additions. */
export function parseMigration(sql: string): Operation[] {
  return splitStatements(sql).flatMap(parseStatement);
}

function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  // Prisma ends every statement with a semicolon at the end of a line; none of its statements holds one
  // inside. A function's body does, between its $$ quotes, so those stretches are kept whole.
  const statements: string[] = [];
  let current = '';
  for (const [i, part] of withoutComments.split('$$').entries()) {
    if (i % 2 === 1) {
      current += `$$${part}$$`;
      continue;
    }
    const pieces = part.split(/;\s*(?:\n|$)/);
    current += pieces[0];
    for (const piece of pieces.slice(1)) {
      statements.push(current);
      current = piece;
    }
  }
  statements.push(current);
  return statements.map((s) => s.trim()).filter(Boolean);
}

function parseStatement(stmt: string): Operation[] {
  let m: RegExpMatchArray | null;
  if ((m = stmt.match(new RegExp(`^CREATE SCHEMA IF NOT EXISTS ${IDENT}$`)))) {
    return [{ kind: 'schema', name: unquote(m[1]!), sql: `CREATE SCHEMA "${m[1]}"` }];
  }
  if ((m = stmt.match(new RegExp(`^CREATE TYPE ${IDENT} AS ENUM \\(([\\s\\S]*)\\)$`)))) {
    const values = [...m[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1]!.replace(/''/g, "'"));
    return [{ kind: 'enum', name: unquote(m[1]!), values, sql: stmt }];
  }
  if ((m = stmt.match(new RegExp(`^ALTER TYPE ${IDENT} ADD VALUE '((?:[^']|'')*)'$`)))) {
    return [{ kind: 'enum', name: unquote(m[1]!), values: [m[2]!.replace(/''/g, "'")], sql: '' }];
  }
  if ((m = stmt.match(new RegExp(`^CREATE TABLE ${IDENT} \\(([\\s\\S]*)\\)$`)))) {
    return [parseTable(unquote(m[1]!), m[2]!, stmt)];
  }
  if ((m = stmt.match(new RegExp(`^CREATE (?:UNIQUE )?INDEX ${IDENT} ON ${IDENT}`)))) {
    return [{ kind: 'index', name: unquote(m[1]!), table: unquote(m[2]!), sql: stmt }];
  }
  if ((m = stmt.match(new RegExp(`^DROP INDEX ${IDENT}$`))) && mayDropIndex(unquote(m[1]!))) {
    return [{ kind: 'dropIndex', name: unquote(m[1]!) }];
  }
  if ((m = stmt.match(new RegExp(`^ALTER TABLE ${IDENT} DROP CONSTRAINT ${IDENT}$`))) && OWN_TABLES.includes(unquote(m[1]!)) && !m[2]!.endsWith('_pkey')) {
    return [{ kind: 'dropConstraint', table: unquote(m[1]!), name: unquote(m[2]!) }];
  }
  if ((m = stmt.match(new RegExp(`^CREATE OR REPLACE FUNCTION ${IDENT}\\(\\) RETURNS trigger `))) && m[1]!.startsWith('playbuddy_')) {
    return [{ kind: 'function', name: unquote(m[1]!), sql: stmt }];
  }
  if ((m = stmt.match(new RegExp(`^CREATE TRIGGER ${IDENT} (?:BEFORE|AFTER) [A-Z ]+ ON ${IDENT} `))) && QUEUE_TABLES.includes(unquote(m[2]!))) {
    return [{ kind: 'trigger', name: unquote(m[1]!), table: unquote(m[2]!), sql: stmt }];
  }
  if ((m = stmt.match(new RegExp(`^ALTER TABLE ${IDENT} ADD CONSTRAINT ${IDENT} `)))) {
    return [{ kind: 'constraint', table: unquote(m[1]!), name: unquote(m[2]!), sql: stmt }];
  }
  if ((m = stmt.match(new RegExp(`^ALTER TABLE ${IDENT} ([\\s\\S]*)$`)))) {
    const table = unquote(m[1]!);
    const clauses = m[2]!.split(/,\s*\n/).map((c) => c.trim());
    if (clauses.every((c) => /^ADD COLUMN\s+"/.test(c))) {
      return clauses.map((c) => ({ kind: 'column' as const, table, column: parseColumn(c.replace(/^ADD COLUMN\s+/, '')) }));
    }
  }
  throw notAdditive(stmt);
}

// Prisma names an index after its table (`ParseJob_…`), and playbuddy's explicit names follow that.
function mayDropIndex(name: string): boolean {
  return QUEUE_TABLES.some((t) => name.startsWith(`${t}_`)) && !QUEUE_DESIGN_INDEXES.includes(name) && !name.endsWith('_pkey');
}

/** The index a step creates in place of the dropped `name`: the one of the same name, else its pair by order. */
function replacementOf(ops: Operation[], name: string): Extract<Operation, { kind: 'index' }> | undefined {
  const creates = ops.filter((o): o is Extract<Operation, { kind: 'index' }> => o.kind === 'index');
  return creates.find((o) => o.name === name) ?? creates.find((o) => replacedBy(ops, o.name) === name);
}

// Pairs each drop with a new index of another name in order: the first drop without a same-name
// replacement with the first such create, and so on.
function replacedBy(ops: Operation[], create: string): string | undefined {
  const drops = ops.filter((o) => o.kind === 'dropIndex').map((o) => o.name);
  const creates = ops.filter((o) => o.kind === 'index').map((o) => o.name);
  const lone = drops.filter((d) => !creates.includes(d));
  const fresh = creates.filter((c) => !drops.includes(c));
  const i = fresh.indexOf(create);
  return i >= 0 ? lone[i] : undefined;
}

function replaceDescription(name: string, table: string | null, by: Extract<Operation, { kind: 'index' }> | undefined): string {
  const on = table ? ` on ${table}` : '';
  if (!by) return `drop index ${name}${on}`;
  const kind = /\sWHERE\s/i.test(by.sql) ? 'a partial one' : 'a new one';
  return `replace index ${name}${on} with ${kind}${by.name === name ? '' : `, ${by.name}`}`;
}

/** What a step drops, in words, read from its SQL alone (for `db status`, before anything runs). */
export function describeDrops(ops: Operation[]): string[] {
  return ops.flatMap((o) => {
    if (o.kind === 'dropIndex') return [replaceDescription(o.name, null, replacementOf(ops, o.name))];
    if (o.kind === 'dropConstraint') return [`drop constraint ${o.name} on ${o.table}`];
    return [];
  });
}

function parseTable(name: string, body: string, sql: string): Operation {
  const columns: Column[] = [];
  const constraints: Array<{ name: string; sql: string }> = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim().replace(/,$/, '');
    if (!line) continue;
    const c = line.match(new RegExp(`^CONSTRAINT ${IDENT} `));
    if (c) constraints.push({ name: unquote(c[1]!), sql: `ALTER TABLE "${name}" ADD ${line}` });
    else columns.push(parseColumn(line));
  }
  return { kind: 'table', name, columns, constraints, sql };
}

function parseColumn(definition: string): Column {
  const m = definition.match(new RegExp(`^${IDENT}\\s`));
  if (!m) throw new NotAdditiveError(`cannot read the column definition: ${definition}`);
  return { name: unquote(m[1]!), definition };
}

function unquote(name: string): string {
  return name.replace(/""/g, '"');
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * What the live database lacks of `ops`, as statements to run in order. It reads the catalog through
 * `client`, inside the caller's transaction, so the answer holds while the statements run.
 */
export async function missingActions(client: Pick<pg.Client, 'query'>, ops: Operation[]): Promise<Action[]> {
  const actions: Action[] = [];
  // Indexes this step drops: one it creates again under the same name is created after the drop, even
  // though the catalog, read before anything runs, still shows the old one.
  const dropped = new Map<string, number>();
  for (const op of ops) {
    switch (op.kind) {
      case 'schema':
        if (!(await exists(client, `SELECT 1 FROM pg_namespace WHERE nspname = $1`, [op.name]))) {
          actions.push({ description: `create schema ${op.name}`, sql: op.sql });
        }
        break;
      case 'enum': {
        const have = await enumValues(client, op.name);
        if (have === null) actions.push({ description: `create enum ${op.name}`, sql: op.sql });
        else {
          for (const v of op.values.filter((v) => !have.includes(v))) {
            actions.push({ description: `add value ${v} to enum ${op.name}`, sql: `ALTER TYPE "${op.name}" ADD VALUE ${literal(v)}` });
          }
        }
        break;
      }
      case 'table': {
        const have = await tableColumns(client, op.name);
        if (have === null) {
          actions.push({ description: `create table ${op.name}`, sql: op.sql });
          break;
        }
        for (const col of op.columns.filter((c) => !have.includes(c.name))) {
          actions.push(addColumn(op.name, col));
        }
        for (const con of op.constraints) {
          // A primary key under another name counts: a table has one at most, and the app's is the app's.
          if (!(await constraintExists(client, op.name, con.name)) && !(await hasPrimaryKey(client, op.name))) {
            actions.push({ description: `add constraint ${con.name} to ${op.name}`, sql: con.sql });
          }
        }
        break;
      }
      case 'column': {
        const have = await tableColumns(client, op.table);
        if (!have?.includes(op.column.name)) actions.push(addColumn(op.table, op.column));
        break;
      }
      case 'index':
        if (dropped.has(op.name)) {
          const drop = actions[dropped.get(op.name)!]!;
          drop.sql = `${drop.sql};\n${op.sql}`;
        } else if (!(await relationExists(client, op.name))) {
          actions.push({ description: `create index ${op.name} on ${op.table}`, sql: op.sql });
        }
        break;
      case 'dropIndex': {
        // Already gone: a database migrated before, or one that never had it. Nothing to do (IF EXISTS).
        const live = await indexTable(client, op.name);
        if (!live) break;
        if (!QUEUE_TABLES.includes(live.table) || live.backsConstraint) throw notAdditive(`DROP INDEX "${op.name}"`);
        dropped.set(op.name, actions.length);
        actions.push({ description: replaceDescription(op.name, live.table, replacementOf(ops, op.name)), sql: `DROP INDEX "${op.name}"` });
        break;
      }
      case 'constraint':
        if (!(await constraintExists(client, op.table, op.name))) {
          actions.push({ description: `add constraint ${op.name} to ${op.table}`, sql: op.sql });
        }
        break;
      case 'dropConstraint':
        // Already gone (a database migrated before): nothing to do.
        if (await constraintExists(client, op.table, op.name)) {
          actions.push({ description: `drop constraint ${op.name} on ${op.table}`, sql: `ALTER TABLE "${op.table}" DROP CONSTRAINT "${op.name}"` });
        }
        break;
      case 'function':
        if (!(await functionExists(client, op.name))) actions.push({ description: `create function ${op.name}`, sql: op.sql });
        break;
      case 'trigger':
        if (!(await triggerExists(client, op.table, op.name))) actions.push({ description: `create trigger ${op.name} on ${op.table}`, sql: op.sql });
        break;
    }
  }
  return actions;
}

function addColumn(table: string, col: Column): Action {
  return { description: `add column ${table}.${col.name}`, sql: `ALTER TABLE "${table}" ADD COLUMN ${col.definition}` };
}

async function exists(client: Pick<pg.Client, 'query'>, sql: string, params: unknown[]): Promise<boolean> {
  return ((await client.query(sql, params)).rowCount ?? 0) > 0;
}

async function enumValues(client: Pick<pg.Client, 'query'>, name: string): Promise<string[] | null> {
  const r = await client.query<{ label: string | null }>(
    `SELECT e.enumlabel AS label
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typname = $1 AND n.nspname = current_schema() ORDER BY e.enumsortorder`,
    [name],
  );
  return r.rowCount ? r.rows.map((row) => row.label).filter((l): l is string => l !== null) : null;
}

async function tableColumns(client: Pick<pg.Client, 'query'>, table: string): Promise<string[] | null> {
  if (!(await relationExists(client, table))) return null;
  const r = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return r.rows.map((row) => row.name);
}

function relationExists(client: Pick<pg.Client, 'query'>, name: string): Promise<boolean> {
  return exists(
    client,
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema()`,
    [name],
  );
}

async function indexTable(client: Pick<pg.Client, 'query'>, name: string): Promise<{ table: string; backsConstraint: boolean } | null> {
  const r = await client.query<{ table: string; backs_constraint: boolean }>(
    `SELECT t.relname AS table, EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid) AS backs_constraint
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE ic.relname = $1 AND n.nspname = current_schema()`,
    [name],
  );
  const row = r.rows[0];
  return row ? { table: row.table, backsConstraint: row.backs_constraint } : null;
}

function constraintExists(client: Pick<pg.Client, 'query'>, table: string, name: string): Promise<boolean> {
  return exists(
    client,
    `SELECT 1 FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE co.conname = $2 AND c.relname = $1 AND n.nspname = current_schema()`,
    [table, name],
  );
}

function functionExists(client: Pick<pg.Client, 'query'>, name: string): Promise<boolean> {
  return exists(client, `SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = $1 AND n.nspname = current_schema()`, [name]);
}

function triggerExists(client: Pick<pg.Client, 'query'>, table: string, name: string): Promise<boolean> {
  return exists(
    client,
    `SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = $2 AND c.relname = $1 AND n.nspname = current_schema()`,
    [table, name],
  );
}

function hasPrimaryKey(client: Pick<pg.Client, 'query'>, table: string): Promise<boolean> {
  return exists(
    client,
    `SELECT 1 FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE co.contype = 'p' AND c.relname = $1 AND n.nspname = current_schema()`,
    [table],
  );
}
