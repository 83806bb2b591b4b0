import type { Command } from 'commander';
import { controlCommand, runControl } from './job-control.js';

export function register(program: Command): void {
  controlCommand(program, 'retry', 're-queue failed or cancelled jobs as a new attempt, from their last checkpoint')
    .argument('[jobIds...]', 'job ids or unique prefixes of them')
    .option('--all-failed', 'every failed job')
    .option('--from-scratch', 'drop the checkpoint and parse from the beginning')
    .option('-f, --force', 'retry even when another job already holds the same text with the same settings')
    .addHelpText('after', '\nExamples:\n  playbuddy retry 3f2a1b9c\n  playbuddy retry --all-failed\n  playbuddy retry 3f2a1b9c --from-scratch')
    .action(runControl('retry'));
}
