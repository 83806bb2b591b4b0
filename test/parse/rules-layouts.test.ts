import { describe, expect, it } from 'vitest';
import { allLines, directions, parse, speeches, whoSays } from './rules-helpers.js';

// Short plays written for these tests in layouts the corpus does not use, so the conventions are
// checked on texts the parser was not tuned on.

describe('other layouts', () => {
  it('reads a modern script: NAME: text, one speech per line, cast with dashes', () => {
    const play = parse(`THE LAST TRAIN
A play in two acts
by Mara Quill

CHARACTERS
DEV — a ticket inspector
JUNO — a passenger
ROSA — her sister

ACT ONE
Scene One
A station at night. Rain.
DEV: Tickets, please.
JUNO: I lost mine.
DEV: Then you'll have to buy another.
ROSA: (quietly) Let me pay for her.
JUNO: No, Rosa. I can pay.
DEV: Someone had better.

Scene Two
The platform.
ROSA: Is that the last train?
DEV: The very last.
JUNO AND ROSA: Then we wait.

ACT TWO
Scene One
DEV: Morning already.
JUNO: We waited all night.
ROSA: And you, all night with us.
`);
    expect(play.title).toBe('The Last Train');
    expect(play.author).toBe('Mara Quill');
    expect(play.acts.map((a) => [a.title, a.scenes.length])).toEqual([
      ['ACT ONE', 2],
      ['ACT TWO', 1],
    ]);
    expect(play.characters.map((c) => [c.name, c.description])).toEqual([
      ['Dev', 'a ticket inspector'],
      ['Juno', 'a passenger'],
      ['Rosa', 'her sister'],
    ]);
    expect(speeches(play).map((l) => l.characters.join('+'))).toEqual([
      'Dev', 'Juno', 'Dev', 'Rosa', 'Juno', 'Dev', 'Rosa', 'Dev', 'Juno+Rosa', 'Dev', 'Juno', 'Rosa',
    ]);
    expect(whoSays(play, 'Let me pay for her.')).toEqual(['Rosa']);
  });

  it('reads an old folio layout: Latin headings, abbreviated names, bare Enter and Exit lines', () => {
    const play = parse(`The Tragedie of Ludovico

Actus Primus. Scoena Prima.

Enter Ludovico and Fabio.

  Lud. Who keepes the gate to night?
  Fab. Not I, my Lord, nor any man I know.
  Lud. Then go and see it kept.
  Fab. I go.

Exit.

  Lud. So, he is gone; and now to Isabel.

Enter Isabella.

  Isa. My Lord, you call'd?
  Ludovico. I did, sweet Isabel.
  Isa. Then here I am.

Exeunt.

Scena Secunda.

Enter Fabio and a Porter.

  Fab. Who knockes?
  Port. A friend.
  Fab. What friend?
  Port. One that would come in.
`);
    expect(play.acts.map((a) => a.title)).toEqual(['Actus Primus']);
    expect(play.acts[0]!.scenes.map((s) => s.title)).toEqual(['Scoena Prima.', 'Scena Secunda.']);
    expect(new Set(speeches(play).flatMap((l) => l.characters))).toEqual(new Set(['Ludovico', 'Fab', 'Isa', 'Port']));
    expect(directions(play).map((d) => d.text)).toContain('Enter Isabella.');
    expect(whoSays(play, 'I did, sweet Isabel.')).toEqual(['Ludovico']);
  });

  it('reads Italian: PERSONAGGI, ATTO PRIMO, SCENA PRIMA, NAME. text', () => {
    const play = parse(`LA LOCANDA
Commedia
di Carla Nove

PERSONAGGI

PANTALONE, mercante.
ROSAURA, sua figlia.
ARLECCHINO, servitore.

ATTO PRIMO

SCENA PRIMA

Camera nella locanda.

PANTALONE. Arlecchino, dove sei?

ARLECCHINO. Qui, padrone.

PANTALONE. Chiama mia figlia.

ARLECCHINO (a parte). Sempre io.

SCENA SECONDA

ROSAURA. Mi avete chiamata, padre?

PANTALONE. Sì, figlia mia.

TUTTI. Evviva!
`);
    expect(play.author).toBe('Carla Nove');
    expect(play.acts.map((a) => a.scenes.map((s) => s.title))).toEqual([['SCENA PRIMA', 'SCENA SECONDA']]);
    expect(whoSays(play, 'Sempre io.')).toEqual(['Arlecchino']);
    expect(new Set(whoSays(play, 'Evviva!'))).toEqual(new Set(['Rosaura']));
  });

  it('reads Spanish: ACTO PRIMERO, ESCENA I, NAME.—text', () => {
    const play = parse(`EL PUENTE
por Luis Arce

PERSONAJES

DON FÉLIX
DOÑA INÉS
CRIADO

ACTO PRIMERO

ESCENA I

DON FÉLIX.—¿Quién llama a estas horas?

CRIADO.—Un mensajero, señor.

DON FÉLIX.—Que pase.

ESCENA II

DOÑA INÉS.—Félix, ¿qué noticias hay?

DON FÉLIX.—Ninguna buena, Inés.

DOÑA INÉS.—Entonces callad.

ACTO SEGUNDO

ESCENA I

CRIADO.—Ya es de noche.

DON FÉLIX.—Cierra la puerta.
`);
    expect(play.acts.map((a) => a.scenes.length)).toEqual([2, 1]);
    expect(whoSays(play, '¿Quién llama')).toEqual(['Don Félix']);
    expect(whoSays(play, 'Ninguna buena')).toEqual(['Don Félix']);
    expect(whoSays(play, 'Entonces callad.')).toEqual(['Doña Inés']);
  });

  it('reads Russian acts and scenes (Действие, Явление) with names in ordinary case', () => {
    const play = parse(`ГОСТИ
Комедия в двух действиях

ЛИЦА

Иван Петрович, хозяин.
Марья Ивановна, его жена.
Слуга.

ДЕЙСТВИЕ ПЕРВОЕ

Явление первое

Иван Петрович. Где же гости?

Марья Ивановна. Скоро будут.

Иван Петрович (смотрит в окно). Никого не видно.

Явление второе

Слуга. Приехали!

Иван Петрович. Наконец-то.

ДЕЙСТВИЕ ВТОРОЕ

Марья Ивановна. Все разъехались.

Иван Петрович. И слава богу.
`);
    expect(play.acts.map((a) => a.scenes.length)).toEqual([2, 1]);
    expect(whoSays(play, 'Никого не видно.')).toEqual(['Иван Петрович']);
    expect(allLines(play).find((l) => l.text === 'смотрит в окно')).toMatchObject({ type: 'stage_direction', characters: ['Иван Петрович'] });
    expect(whoSays(play, 'Приехали!')).toEqual(['Слуга']);
  });
});
