import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// A `.env` in the working directory fills in what the real environment leaves unset; the real environment
// wins, so `DATABASE_URL=... playbuddy status` still does what it says.
export function loadDotEnv(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): void {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return;
  const before = { ...env };
  process.loadEnvFile(file);
  for (const [key, value] of Object.entries(before)) env[key] = value;
}
