import { TransientError } from '../errors.js';

/**
 * The model answered twice (the second time after being told what was wrong) and neither answer was
 * usable. Transient for the queue, since a later attempt may fare better; a caller with a fallback of its
 * own (the hybrid parser keeps the rules' reading) catches it instead. Kept apart from the call itself so
 * that catching it does not load the AI SDK.
 */
export class UnusableAnswerError extends TransientError {}
