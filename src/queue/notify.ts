// LISTEN/NOTIFY channels. Producers notify inside their transaction, so a listener is woken only once the
// change is committed and visible.

/** A job became runnable (enqueued, re-queued, resumed, retried). Payload: empty. */
export const JOBS_CHANNEL = 'playbuddy_jobs';
/** A running job must stop (paused or cancelled by an operator). Payload: the job id. */
export const CONTROL_CHANNEL = 'playbuddy_control';
