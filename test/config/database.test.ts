import { describe, expect, it } from 'vitest';
import { redactUrl, resolveDatabaseTarget, resolveDatabaseUrl } from '../../src/config/database.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('database settings', () => {
  it('prefers DATABASE_URL', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL: 'postgresql://u:p@db:6543/x', PGHOST: 'other' })).toBe('postgresql://u:p@db:6543/x');
  });

  it('falls back to the libpq variables, then to a stock local install', () => {
    expect(resolveDatabaseUrl({ PGHOST: 'h', PGPORT: '5433', PGUSER: 'me', PGPASSWORD: 's3cr:t', PGDATABASE: 'plays' })).toBe(
      'postgresql://me:s3cr%3At@h:5433/plays',
    );
    const url = new URL(resolveDatabaseUrl({}));
    expect(url.hostname).toBe('localhost');
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/playbuddy');
    expect(url.username.length).toBeGreaterThan(0);
  });

  it('names the setting when a value is invalid', () => {
    expect(() => resolveDatabaseUrl({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL is not a valid connection URL/);
    expect(() => resolveDatabaseUrl({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL must start with postgresql:/);
    expect(() => resolveDatabaseUrl({ PGPORT: 'abc' })).toThrow(/PGPORT must be a port number/);
  });

  it('tells a pooled URL from a direct one', () => {
    expect(resolveDatabaseTarget({ DATABASE_URL: 'postgresql://u@db:5432/x' })).toEqual({
      url: 'postgresql://u@db:5432/x',
      direct: 'postgresql://u@db:5432/x',
      pooled: false,
    });
    expect(
      resolveDatabaseTarget({ DATABASE_URL: 'postgresql://u@pool:6432/x', PLAYBUDDY_DIRECT_DATABASE_URL: 'postgresql://u@db:5432/x' }),
    ).toEqual({ url: 'postgresql://u@pool:6432/x', direct: 'postgresql://u@db:5432/x', pooled: true });
    // Prisma's marker for PgBouncer: read, then kept away from the server.
    expect(resolveDatabaseTarget({ DATABASE_URL: 'postgresql://u@pool:6432/x?pgbouncer=true&sslmode=disable' })).toEqual({
      url: 'postgresql://u@pool:6432/x?sslmode=disable',
      direct: undefined,
      pooled: true,
    });
    expect(() => resolveDatabaseTarget({ PLAYBUDDY_DIRECT_DATABASE_URL: 'nope' })).toThrow(
      /PLAYBUDDY_DIRECT_DATABASE_URL is not a valid connection URL/,
    );
  });

  it('never shows the password', () => {
    expect(redactUrl('postgresql://me:hunter2@h:5432/db')).toBe('postgresql://me:***@h:5432/db');
    expect(redactUrl('postgresql://me@h:5432/db')).not.toContain('***');
  });

  it('reads durations as typed on a command line', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('ten seconds')).toBeNull();
  });

  it('prints durations the way people read them', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(5000)).toBe('5s');
    expect(formatDuration(2500)).toBe('2.5s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatDuration(3 * 3_600_000)).toBe('3h');
  });
});
