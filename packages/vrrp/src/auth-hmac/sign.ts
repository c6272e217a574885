// What signing alone needs (the trailer and the send sequence), without the receiver and the
// machine it stages with: the agent's start-up replay loads this before anything else.
export { signAdvert, type HmacKey } from './trailer.js';
export { nextSendSequence, type AuthHmacConfig } from './sequence.js';
