import type { Command } from 'commander';
import { controlCommand, runControl } from './job-control.js';

export function register(program: Command): void {
  controlCommand(program, 'resume', 're-queue paused jobs; they continue from their last checkpoint')
    .argument('<jobIds...>', 'job ids or unique prefixes of them')
    .addHelpText('after', '\nExample:\n  playbuddy resume 3f2a1b9c')
    .action(runControl('resume'));
}
