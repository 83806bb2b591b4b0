// Numbers as plays print them in act and scene headings: digits, Roman numerals, and ordinal or cardinal
// words in English, French, German, Spanish, Italian, Russian, Swedish, Danish, Norwegian and Dutch.

const ROMAN = /^(?=[IVXLC])(X{0,3}L?X{0,3})(IX|IV|V?I{0,3})$/;
const ROMAN_VALUE: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

export function romanValue(s: string): number | null {
  const up = s.toUpperCase();
  if (!ROMAN.test(up)) return null;
  let total = 0;
  for (let i = 0; i < up.length; i++) {
    const v = ROMAN_VALUE[up[i]!]!;
    const next = i + 1 < up.length ? ROMAN_VALUE[up[i + 1]!]! : 0;
    total += v < next ? -v : v;
  }
  return total > 0 ? total : null;
}

/** The number given to `last` (`Letzter Auftritt`). */
export const LAST = 999;

// Each row: the number, then word stems that name it (matched as whole words, case-insensitive, after
// accents are kept as printed). Stems ending in `*` take any inflection ending.
const WORDS: Array<[number, string[]]> = [
  [1, ['first', 'one', 'premier', 'première', '1er', '1re', 'un', 'une', 'erst*', 'ein', 'eins', 'primero', 'primer', 'primera', 'primo', 'prima', 'primus', 'uno', 'перв*', 'один', 'одна', 'första', 'förste', 'første', 'eerste']],
  [2, ['second', 'two', 'seconde', 'deuxième', 'deuxieme', 'deux', 'zweit*', 'zwei', 'segundo', 'segunda', 'secondo', 'seconda', 'secundus', 'secunda', 'dos', 'due', 'втор*', 'два', 'две', 'andra', 'andre', 'anden', 'annen', 'tweede']],
  [3, ['third', 'three', 'troisième', 'troisieme', 'trois', 'dritt*', 'drei', 'tercero', 'tercer', 'tercera', 'terzo', 'terza', 'tertius', 'tertia', 'tres', 'tre', 'трет*', 'три', 'tredje', 'derde']],
  [4, ['fourth', 'four', 'quatrième', 'quatrieme', 'quatre', 'viert*', 'vier', 'cuarto', 'cuarta', 'quarto', 'quarta', 'quartus', 'cuatro', 'quattro', 'четверт*', 'четвёрт*', 'четыре', 'fjärde', 'fjerde', 'vierde']],
  [5, ['fifth', 'five', 'cinquième', 'cinquieme', 'cinq', 'fünft*', 'funft*', 'fünf', 'quinto', 'quinta', 'quintus', 'cinco', 'cinque', 'пят*', 'femte', 'vijfde']],
  [6, ['sixth', 'six', 'sixième', 'sixieme', 'sechst*', 'sechs', 'sexto', 'sexta', 'sesto', 'sesta', 'seis', 'sei', 'шест*', 'sjätte', 'sjette', 'zesde']],
  [7, ['seventh', 'seven', 'septième', 'septieme', 'sept', 'siebent*', 'siebt*', 'sieben', 'séptimo', 'septimo', 'séptima', 'settimo', 'settima', 'siete', 'sette', 'седьм*', 'семь', 'sjunde', 'syvende', 'sjuende', 'zevende']],
  [8, ['eighth', 'eight', 'huitième', 'huitieme', 'huit', 'acht*', 'octavo', 'octava', 'ottavo', 'ottava', 'ocho', 'otto', 'восьм*', 'восемь', 'åttonde', 'ottende', 'åttende', 'achtste']],
  [9, ['ninth', 'nine', 'neuvième', 'neuvieme', 'neuf', 'neunt*', 'neun', 'noveno', 'novena', 'nono', 'nona', 'nueve', 'nove', 'девят*', 'nionde', 'niende', 'negende']],
  [10, ['tenth', 'ten', 'dixième', 'dixieme', 'dix', 'zehnt*', 'zehn', 'décimo', 'decimo', 'décima', 'decima', 'diez', 'dieci', 'десят*', 'tionde', 'tiende']],
  [11, ['eleventh', 'eleven', 'onzième', 'onzieme', 'onze', 'elft*', 'eilft*', 'elf', 'undécimo', 'undecimo', 'undicesimo', 'once', 'undici', 'одиннадцат*', 'elfte', 'ellevte']],
  [12, ['twelfth', 'twelve', 'douzième', 'douzieme', 'douze', 'zwölft*', 'zwölf', 'duodécimo', 'duodecimo', 'dodicesimo', 'doce', 'dodici', 'двенадцат*', 'tolfte', 'tolvte', 'twaalfde']],
  [13, ['thirteenth', 'treizième', 'dreizehnt*', 'тринадцат*', 'trettonde', 'trettende']],
  [14, ['fourteenth', 'quatorzième', 'vierzehnt*', 'четырнадцат*', 'fjortonde', 'fjortende']],
  [15, ['fifteenth', 'quinzième', 'fünfzehnt*', 'пятнадцат*', 'femtonde', 'femtende']],
  [16, ['sixteenth', 'seizième', 'sechzehnt*', 'шестнадцат*', 'sextonde', 'sekstende']],
  [17, ['seventeenth', 'dix-septième', 'siebzehnt*', 'siebenzehnt*', 'семнадцат*', 'sjuttonde', 'syttende']],
  [18, ['eighteenth', 'dix-huitième', 'achtzehnt*', 'восемнадцат*', 'artonde', 'attende']],
  [19, ['nineteenth', 'dix-neuvième', 'neunzehnt*', 'девятнадцат*', 'nittonde', 'nittende']],
  [20, ['twentieth', 'vingtième', 'zwanzigst*', 'двадцат*', 'tjugonde', 'tyvende']],
  // `Letzter Auftritt`, `SCÈNE DERNIÈRE`: the last one, whatever its number.
  [LAST, ['last', 'final', 'dernier', 'dernière', 'derniere', 'letzt*', 'último', 'última', 'ultimo', 'ultima', 'последн*']],
];

const exact = new Map<string, number>();
const stems: Array<[string, number]> = [];
for (const [n, words] of WORDS) {
  for (const w of words) {
    if (w.endsWith('*')) stems.push([w.slice(0, -1), n]);
    else exact.set(w, n);
  }
}
// Longer stems first, so `dreizehnt` wins over `dritt` and `siebent` over `sieb`.
stems.sort((a, b) => b[0].length - a[0].length);

export function wordValue(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  const hit = exact.get(w);
  if (hit !== undefined) return hit;
  for (const [stem, n] of stems) {
    if (w.startsWith(stem) && w.length - stem.length <= 3) return n;
  }
  return null;
}

/** Value of a heading's number token (digits, Roman numeral, `1st`, `1.` or a word), or null. */
export function numberValue(token: string): number | null {
  const t = token.replace(/[.:]$/, '');
  if (/^\d{1,3}$/.test(t)) return Number(t);
  const ord = /^(\d{1,3})(?:st|nd|rd|th|er|re|e|ème|º|ª|-?[яйео])$/i.exec(t);
  if (ord) return Number(ord[1]);
  return romanValue(t) ?? wordValue(t);
}
