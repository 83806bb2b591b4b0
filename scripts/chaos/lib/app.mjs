import { fromDist } from '../../bench/lib/dist.mjs';

// What the chaos suite takes from playbuddy's own compiled code, in one place: the state machine it checks
// event chains against, the prompt markers its model server reads, and the loader `playbuddy export` uses.

const [{ canTransition, JOB_STATUSES }, { TEXT_OPEN, TEXT_CLOSE }, { PASSAGE_OPEN }] = await Promise.all([
  fromDist('queue/states.js'),
  fromDist('llm/prompt.js'),
  fromDist('parse/hybrid/prompt.js'),
]);

export const promptMarkers = { textOpen: TEXT_OPEN, textClose: TEXT_CLOSE, passageOpen: PASSAGE_OPEN };

/** The state machine declared in src/queue: whether `from → to` is a legal status change. */
export const stateMachine = { statuses: JOB_STATUSES, allows: (from, to) => canTransition(from, to) };

/** Each stored play as `playbuddy export` prints it (JSON text), by playbook id. */
export async function exportPlays(url, playbookIds) {
  const [{ createDb }, { loadPlay }] = await Promise.all([fromDist('db/client.js'), fromDist('store/load-play.js')]);
  const db = createDb(url, { applicationName: 'chaos-check' });
  try {
    const out = new Map();
    for (const id of playbookIds) {
      const play = await loadPlay(db, id);
      out.set(id, play ? JSON.stringify(play, null, 2) + '\n' : null);
    }
    return out;
  } finally {
    await db.$disconnect();
  }
}
