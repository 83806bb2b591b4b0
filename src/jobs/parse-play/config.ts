import type { ParseConfig } from '../../parse/parser.js';

// What a PARSE_PLAY job's `config` holds: the parse settings plus where the text came from. Never secrets.

/** What was known about a play before it was parsed (a migrated session's title, author, …). */
export interface PlayMetadata {
  title?: string;
  author?: string;
  year?: number;
  genre?: string;
  description?: string;
}

export interface PlayJobConfig extends ParseConfig {
  source?: { format: string; encoding: string | null; bytes: number };
  /** Fills in what the parsed text does not say. */
  metadata?: PlayMetadata;
  /** `enqueue --replace --discard-progress`: the replaced play goes even when app users have rehearsal progress on it. */
  discardProgress?: boolean;
  /** Queued by `enqueue --replace`: once stored, its play is the file's only one (src/queue/sql/supersede.ts). */
  replace?: boolean;
}

// Jobs migrated from legacy sessions may carry a config without parse settings.
const FALLBACK_CONFIG: ParseConfig = { parser: 'rules', chunkSize: 12_000 };

/** The parse settings of a job's stored config, with the defaults where it has none. */
export function parseConfigOf(config: unknown): ParseConfig {
  const { source: _source, metadata: _metadata, discardProgress: _discard, replace: _replace, ...parse }: Partial<PlayJobConfig> =
    (config as PlayJobConfig | null) ?? {};
  return { ...FALLBACK_CONFIG, ...parse };
}
