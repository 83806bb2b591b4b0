import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/db.js';
import { binaryTextArray } from '../../src/db/text-array.js';

const t = testDatabase('text_array');

describe('a text[] parameter in binary form', () => {
  it('reaches PostgreSQL element for element, whatever the characters', async () => {
    const values = ['', 'plain', 'Ophelia’s “rue”', 'tab\there, newline\nthere, CRLF\r\n', '{"braces", \\backslash\\, NULL}', 'NULL', 'ÆØÅ 日本語 🎭', 'x'.repeat(100_000)];
    const { rows } = await t.sql.query({
      text: 'SELECT v, n::int, octet_length(v) AS bytes FROM unnest($1::text[]) WITH ORDINALITY AS a(v, n) ORDER BY n',
      values: [binaryTextArray(values)],
    });
    expect(rows.map((r) => r.v)).toEqual(values);
    expect(rows.map((r) => r.bytes)).toEqual(values.map((v) => Buffer.byteLength(v)));
  });

  it('may be empty', async () => {
    const { rows } = await t.sql.query({ text: 'SELECT cardinality($1::text[]) AS n', values: [binaryTextArray([])] });
    expect(rows[0].n).toBe(0);
  });
});
