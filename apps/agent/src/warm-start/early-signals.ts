/** The part of Node's `process` this needs (injected in tests). */
export type SignalTarget = {
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
};

/**
 * While the start-up replay claims mastership and the agent's modules load, a stop signal must
 * not kill the process the default way: the VIPs would stay with nobody advertising them. The
 * signals are held and handed to the agent once its own stop path listens (main.ts re-raises
 * them), so a stop at any moment still ends with the priority-0 advert and the VIPs removed.
 */
export function holdStopSignals(target: SignalTarget): { release(): NodeJS.Signals[] } {
  const held: NodeJS.Signals[] = [];
  const hold = (signal: NodeJS.Signals) => {
    held.push(signal);
  };
  target.on('SIGINT', hold);
  target.on('SIGTERM', hold);
  return {
    release() {
      target.off('SIGINT', hold);
      target.off('SIGTERM', hold);
      return held.splice(0);
    },
  };
}
