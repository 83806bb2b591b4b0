import type { Command } from 'commander';
import { controlCommand, runControl } from './job-control.js';

export function register(program: Command): void {
  controlCommand(program, 'pause', 'pause queued, retrying or running jobs (a running job stops at once and keeps its checkpoint)')
    .argument('<jobIds...>', 'job ids or unique prefixes of them')
    .addHelpText('after', '\nExamples:\n  playbuddy pause 3f2a1b9c\n  playbuddy resume 3f2a1b9c   # continues from its checkpoint')
    .action(runControl('pause'));
}
