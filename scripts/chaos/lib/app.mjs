import { fromDist } from '../../bench/lib/dist.mjs';

// What the chaos suite takes from playbuddy's own compiled code, in one place: the state machine it checks
// event chains against, the prompt markers its model server reads, and the loader `playbuddy export` uses.

const [states, { TEXT_OPEN, TEXT_CLOSE }, { PASSAGE_OPEN }] = await Promise.all([
  fromDist('queue/states.js'),
  fromDist('llm/prompt.js'),
  fromDist('parse/hybrid/prompt.js'),
]);

export const promptMarkers = { textOpen: TEXT_OPEN, textClose: TEXT_CLOSE, passageOpen: PASSAGE_OPEN };

/**
 * The state machine declared in src/queue. Where it lists each transition with its event (TRANSITIONS), a
 * change must match one exactly — from, to and event name; where it lists only which statuses may follow
 * which, the statuses must.
 */
export const stateMachine = states.TRANSITIONS
  ? {
      declared: 'transitions with their events',
      creates: (event, to) => states.TRANSITIONS.some((t) => t.from === null && t.to === to && t.event === event),
      allows: (from, to, event) => states.TRANSITIONS.some((t) => t.from === from && t.to === to && t.event === event),
    }
  : {
      declared: 'allowed status changes',
      creates: (event, to) => event === 'enqueued' && to === 'queued',
      allows: (from, to) => states.canTransition(from, to),
    };

/** Each stored play as `playbuddy export` prints it (JSON text), by playbook id. */
export async function exportPlays(url, playbookIds) {
  const [{ createPool }, { loadPlay }] = await Promise.all([fromDist('db/pool.js'), fromDist('store/load-play.js')]);
  const sql = createPool(url, { applicationName: 'chaos-check' });
  try {
    const out = new Map();
    for (const id of playbookIds) {
      const play = await loadPlay(sql, id);
      out.set(id, play ? JSON.stringify(play, null, 2) + '\n' : null);
    }
    return out;
  } finally {
    await sql.end();
  }
}
