import { nameKey } from './text.js';

// Labels spoken by several people: `ALL`, `BOTH`, `HAMLET AND HORATIO`, `BARNARDO/MARCELLUS`,
// `MURDERERS`, `DIE BEIDEN MÄGDE`.

export type LabelShape =
  /** `noun` is the label's last words, a plural when the label names a group (`MURDERERS`). */
  | { kind: 'solo'; noun: string; pair: boolean }
  | { kind: 'everyone'; pair: boolean }
  | { kind: 'joint'; parts: string[] };

const EVERYONE = new Set(
  [
    'ALL', 'ALL TOGETHER', 'OMNES', 'TOUS', 'TOUTES', 'TOUS ENSEMBLE', 'ENSEMBLE', 'ALLE', 'ALLE ZUSAMMEN', 'TODOS',
    'TUTTI', 'ВСЕ', 'OTHERS', 'THE OTHERS', 'LES AUTRES', 'DIE ANDERN', 'DIE ANDEREN', 'CHORUS OF ALL',
  ].map(nameKey),
);
const PAIR = new Set(
  ['BOTH', 'BOTH TOGETHER', 'BEIDE', 'DIE BEIDEN', 'BEIDE ZUGLEICH', 'LES DEUX', 'TOUS DEUX', 'TOUS LES DEUX', 'TOUTES DEUX', 'TOUTES LES DEUX', 'AMBOS', 'LOS DOS', 'TUTTI E DUE', 'TUTTI DUE', 'ENTRAMBI', 'AMBEDUE', 'ОБА', 'ОБЕ', 'ОБА ВМЕСТЕ'].map(nameKey),
);
const PAIR_PREFIX = /^(?:BOTH|THE TWO|TWO|DIE BEIDEN|BEIDE|LES DEUX|DEUX|LOS DOS|DOS|I DUE|DUE|ОБА|ОБЕ|ДВА|ДВЕ)\s+(.+)$/;
const MANY_PREFIX = /^(?:ALL THE|ALL|THE|SEVERAL|SOME|ALLE|DIE|TOUS LES|TOUTES LES|LES|TODOS LOS|TODAS LAS|LOS|LAS|TUTTI I|I|GLI|ВСЕ)\s+(.+)$/;
const JOINT_SPLIT = /\s*(?:\/|&|,)\s*|\s+(?:AND|UND|ET|Y|E|И)\s+/;

const shapes = new Map<string, LabelShape>();

export function labelShape(label: string): LabelShape {
  let shape = shapes.get(label);
  if (!shape) {
    shape = computeShape(label);
    if (shapes.size > 10_000) shapes.clear();
    shapes.set(label, shape);
  }
  return shape;
}

function computeShape(label: string): LabelShape {
  const key = nameKey(label);
  if (EVERYONE.has(key)) return { kind: 'everyone', pair: false };
  if (PAIR.has(key)) return { kind: 'everyone', pair: true };
  const upperish = label.replace(/\s+(?:and|und|et|y|e|и)\s+/g, (m) => m.toUpperCase());
  const parts = upperish.split(JOINT_SPLIT).map((p) => p.trim()).filter(Boolean);
  if (parts.length >= 2) return { kind: 'joint', parts };
  const pair = PAIR_PREFIX.exec(key);
  if (pair) return { kind: 'solo', noun: pair[1]!, pair: true };
  const many = MANY_PREFIX.exec(key);
  return { kind: 'solo', noun: many ? many[1]! : key, pair: false };
}

/** Whether `plural` (`MURDERERS`, `MAGDE`) is the plural of the head noun `singular`. */
export function isPluralOf(plural: string, singular: string): boolean {
  if (plural === singular || !plural.startsWith(singular.slice(0, Math.max(1, singular.length - 1)))) {
    return false;
  }
  const rest = plural.slice(singular.length);
  if (plural.startsWith(singular) && PLURAL_ENDINGS.includes(rest)) return true;
  return singular.endsWith('Y') && plural === `${singular.slice(0, -1)}IES`;
}

const PLURAL_ENDINGS = ['S', 'ES', 'E', 'EN', 'N', 'ER', 'I', 'Ы', 'И'];

/** Every word `isPluralOf` takes for a plural of `singular`. */
export function pluralForms(singular: string): string[] {
  const forms = PLURAL_ENDINGS.map((e) => singular + e);
  if (singular.endsWith('Y')) forms.push(`${singular.slice(0, -1)}IES`);
  return forms;
}
