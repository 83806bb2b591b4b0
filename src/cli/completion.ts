import { Argument, type Command } from 'commander';
import { action } from './runtime.js';

// Shell completion generated from the command definitions themselves, so a new subcommand or flag completes
// without anyone editing three shell scripts. Each script is static: completing a word never starts Node.

interface OptionNode {
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  choices?: string[];
}

interface CommandNode {
  /** Subcommand names from the top, e.g. ['db', 'migrate']; [] for playbuddy itself. */
  path: string[];
  description: string;
  options: OptionNode[];
  subcommands: CommandNode[];
  /** Positional arguments are files (enqueue, parse) rather than ids or words. */
  takesFiles: boolean;
  /** The fixed words a positional argument accepts (`completion bash`). */
  words: string[];
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

// Commands whose arguments are paths; the others take job or play ids, which a shell cannot know.
const FILE_COMMANDS = new Set(['enqueue', 'parse']);

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  playbuddy completion bash > ~/.local/share/bash-completion/completions/playbuddy
  playbuddy completion zsh > "\${fpath[1]}/_playbuddy"      # then restart zsh
  playbuddy completion fish > ~/.config/fish/completions/playbuddy.fish
  source <(playbuddy completion bash)                        # this shell only`,
    )
    .action(
      action(async (shell: Shell, _opts: unknown, cmd: Command) => {
        process.stdout.write(completionScript(shell, describeTree(cmd.parent!)));
      }),
    );
}

export function describeTree(cmd: Command, path: string[] = []): CommandNode {
  const options: OptionNode[] = cmd.options
    .filter((o) => !o.hidden)
    .map((o) => ({
      short: o.short,
      long: o.long,
      description: firstSentence(o.description),
      takesValue: o.required || o.optional,
      choices: o.argChoices,
    }));
  options.push(helpOption());
  if (path.length === 0) options.push(versionOption());
  return {
    path,
    description: firstSentence(cmd.description()),
    options: dedupe(options),
    subcommands: cmd.commands.map((c) => describeTree(c, [...path, c.name()])),
    takesFiles: FILE_COMMANDS.has(path[0] ?? ''),
    words: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
}

function helpOption(): OptionNode {
  return { short: '-h', long: '--help', description: 'show help', takesValue: false };
}
function versionOption(): OptionNode {
  return { short: '-V', long: '--version', description: 'print the version', takesValue: false };
}

function dedupe(options: OptionNode[]): OptionNode[] {
  const seen = new Set<string>();
  return options.filter((o) => {
    const key = o.long ?? o.short ?? '';
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstSentence(text: string): string {
  return text.split(/[(;]/)[0]!.trim().replace(/[.:]$/, '');
}

function allNodes(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}

export function completionScript(shell: Shell, tree: CommandNode): string {
  if (shell === 'bash') return bashScript(tree);
  if (shell === 'zsh') return zshScript(tree);
  return fishScript(tree);
}

const flagsOf = (o: OptionNode) => [o.short, o.long].filter((f): f is string => Boolean(f));

// ---------------------------------------------------------------------------------------------------------
// bash: the words typed so far select a node (its path joined by spaces); the node offers its subcommands
// and flags, or the choices of the flag just typed.
// ---------------------------------------------------------------------------------------------------------

function bashScript(tree: CommandNode): string {
  const nodes = allNodes(tree);
  const subs = nodes.filter((n) => n.subcommands.length > 0);
  const valueFlags = nodes.flatMap((n) => n.options.filter((o) => o.takesValue).flatMap(flagsOf));
  const cases = nodes.map((n) => {
    const words = [...n.subcommands.map((s) => s.path.at(-1)!), ...n.words, ...n.options.flatMap(flagsOf)].join(' ');
    const choiceCases = n.options
      .filter((o) => o.choices)
      .map((o) => `        ${flagsOf(o).join('|')}) COMPREPLY=($(compgen -W "${o.choices!.join(' ')}" -- "$cur")); return ;;`);
    const fallback = n.takesFiles ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()';
    return [
      `    "${n.path.join(' ')}")`,
      ...(choiceCases.length ? ['      case "$prev" in', ...choiceCases, '      esac'] : []),
      `      if [[ "$cur" == -* || ${n.takesFiles ? 0 : 1} -eq 1 ]]; then COMPREPLY=($(compgen -W "${words}" -- "$cur"));`,
      `      else ${fallback}; fi ;;`,
    ].join('\n');
  });
  return `# bash completion for playbuddy (generated by \`playbuddy completion bash\`)
_playbuddy() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case " ${valueFlags.join(' ')} " in *" $word "*) ((i++)); continue ;; esac
    [[ "$word" == -* ]] && continue
    case "$path" in
${subs.map((n) => `      "${n.path.join(' ')}") case "$word" in ${n.subcommands.map((s) => s.path.at(-1)).join('|')}) path="\${path:+$path }$word" ;; esac ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases.join('\n')}
  esac
}
complete -o default -F _playbuddy playbuddy
`;
}

// ---------------------------------------------------------------------------------------------------------
// zsh: the same walk, offering subcommands and flags with their descriptions.
// ---------------------------------------------------------------------------------------------------------

const zq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const zdesc = (name: string, description: string) => zq(`${name.replace(/:/g, '\\:')}:${description}`);

function zshScript(tree: CommandNode): string {
  const nodes = allNodes(tree);
  const subs = nodes.filter((n) => n.subcommands.length > 0);
  const valueFlags = nodes.flatMap((n) => n.options.filter((o) => o.takesValue).flatMap(flagsOf));
  const cases = nodes.map((n) => {
    const commands = [...n.subcommands.map((s) => zdesc(s.path.at(-1)!, s.description)), ...n.words.map(zq)];
    const flags = n.options.flatMap((o) => flagsOf(o).map((f) => zdesc(f, o.description)));
    const choiceCases = n.options
      .filter((o) => o.choices)
      .map((o) => `        ${flagsOf(o).join('|')}) compadd -- ${o.choices!.map(zq).join(' ')}; return ;;`);
    return [
      `    ${zq(n.path.join(' '))})`,
      ...(choiceCases.length ? ['      case $prev in', ...choiceCases, '      esac'] : []),
      `      commands=(${commands.join(' ')})`,
      `      flags=(${flags.join(' ')})`,
      n.takesFiles ? '      files=1 ;;' : '      ;;',
    ].join('\n');
  });
  return `#compdef playbuddy
# zsh completion for playbuddy (generated by \`playbuddy completion zsh\`)
_playbuddy() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} path="" word i files=0
  local -a commands flags
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    case " ${valueFlags.join(' ')} " in *" $word "*) ((i++)); continue ;; esac
    [[ $word == -* ]] && continue
    case $path in
${subs.map((n) => `      ${zq(n.path.join(' '))}) case $word in ${n.subcommands.map((s) => s.path.at(-1)).join('|')}) path=\${path:+$path }$word ;; esac ;;`).join('\n')}
    esac
  done
  case $path in
${cases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    _describe -t flags 'option' flags
  else
    (( \${#commands} )) && _describe -t commands 'command' commands
    (( files )) && _files
  fi
}
if [[ $funcstack[1] == _playbuddy ]]; then _playbuddy "$@"; else compdef _playbuddy playbuddy; fi
`;
}

// ---------------------------------------------------------------------------------------------------------
// fish: one `complete` line per subcommand and flag, conditioned on the subcommands already typed.
// ---------------------------------------------------------------------------------------------------------

const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript(tree: CommandNode): string {
  const lines = ['# fish completion for playbuddy (generated by `playbuddy completion fish`)', 'complete -c playbuddy -f'];
  const top = tree.subcommands.map((s) => s.path[0]!);
  // A word seen anywhere counts in fish, so `db status` must not also complete as `status`: a top-level
  // command holds only while no other top-level command was typed.
  const condition = (n: CommandNode): string => {
    if (n.path.length === 0) return '__fish_use_subcommand';
    const [first, ...rest] = n.path;
    const parts = [`__fish_seen_subcommand_from ${first}`];
    const others = top.filter((t) => t !== first);
    if (others.length > 0 && rest.length === 0) parts.push(`not __fish_seen_subcommand_from ${others.join(' ')}`);
    if (rest.length > 0) parts.push(`__fish_seen_subcommand_from ${rest.join(' ')}`);
    else if (n.subcommands.length > 0) parts.push(`not __fish_seen_subcommand_from ${n.subcommands.map((s) => s.path.at(-1)).join(' ')}`);
    return parts.join('; and ');
  };
  for (const n of allNodes(tree)) {
    const when = fq(condition(n));
    for (const s of n.subcommands) lines.push(`complete -c playbuddy -n ${when} -a ${fq(s.path.at(-1)!)} -d ${fq(s.description)}`);
    if (n.words.length > 0) lines.push(`complete -c playbuddy -n ${when} -a ${fq(n.words.join(' '))}`);
    for (const o of n.options) {
      const parts = ['complete -c playbuddy -n', when];
      if (o.short) parts.push('-s', o.short.slice(1));
      if (o.long) parts.push('-l', o.long.slice(2));
      if (o.choices) parts.push('-x -a', fq(o.choices.join(' ')));
      else if (o.takesValue) parts.push('-r');
      parts.push('-d', fq(o.description));
      lines.push(parts.join(' '));
    }
    if (n.takesFiles) lines.push(`complete -c playbuddy -n ${when} -F`);
  }
  return lines.join('\n') + '\n';
}
