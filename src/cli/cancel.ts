import type { Command } from 'commander';
import { controlCommand, runControl } from './job-control.js';

export function register(program: Command): void {
  controlCommand(program, 'cancel', 'cancel queued, retrying, paused or running jobs (a running job stops at once)')
    .argument('<jobIds...>', 'job ids or unique prefixes of them')
    .addHelpText('after', '\nExamples:\n  playbuddy cancel 3f2a1b9c\n  playbuddy cancel 3f2a 9bc1 77e0')
    .action(runControl('cancel'));
}
