// Characters as the LLM parser tracks them, and how two mentions are recognised as one person: the same
// name or alias once case, punctuation and a leading article are ignored ("THE GHOST", "Ghost.").

export interface CastMember {
  /** Unique within its group; the model refers to the character by it. */
  id: string;
  name: string;
  aliases: string[];
  description: string | null;
}

export function nameKey(label: string): string {
  return label
    .normalize('NFC')
    .toLowerCase()
    .replace(/[.,:;!?()[\]"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

export function labelKeys(member: Pick<CastMember, 'name' | 'aliases'>): string[] {
  return [...new Set([member.name, ...member.aliases].map(nameKey).filter((key) => key !== ''))];
}

/** The member of `cast` that `candidate` names (by name or alias), if any. */
export function findSameCharacter(cast: readonly CastMember[], candidate: Pick<CastMember, 'name' | 'aliases'>): CastMember | undefined {
  const keys = new Set(labelKeys(candidate));
  return cast.find((member) => labelKeys(member).some((key) => keys.has(key)));
}

/** `member` with the labels of `other` added as aliases (its own name stays). */
export function withLabelsOf(member: CastMember, other: Pick<CastMember, 'name' | 'aliases' | 'description'>): CastMember {
  const known = new Set(labelKeys(member));
  const aliases = [...member.aliases];
  for (const label of [other.name, ...other.aliases]) {
    const key = nameKey(label);
    if (key !== '' && !known.has(key)) {
      known.add(key);
      aliases.push(label.trim());
    }
  }
  return { ...member, aliases, description: member.description ?? other.description };
}
