import type { Logger } from '../log/logger.js';
import type { JobHandlers } from '../worker/handler.js';
import { createParseJobHandler } from './parse-play/handler.js';

// Every job type `playbuddy work` runs, with its handler. A new job type adds its value to the JobType enum
// (prisma/schema.prisma, a migration, JOB_TYPES in src/queue/jobs.ts), its module under src/jobs/, and its
// line here.

export function jobHandlers(deps: { log: Logger }): JobHandlers {
  return {
    PARSE_PLAY: createParseJobHandler(deps),
  };
}
