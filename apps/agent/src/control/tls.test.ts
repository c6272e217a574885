import { describe, expect, it } from 'vitest';
import { announcementProblem, pinProblem, readAnnouncedPins } from './tls.js';

const A = `sha256/${'A'.repeat(43)}=`;
const B = `sha256/${'B'.repeat(43)}=`;

describe('control channel pins', () => {
  it('a key among the pins passes; another is refused naming both', () => {
    expect(pinProblem(A, [B, A])).toBeNull();
    expect(pinProblem(B, [A])).toMatch(new RegExp(`${B.replace(/[/+=]/g, '.')} matches none of the pinned keys`));
    expect(pinProblem(null, [A])).toMatch(/no certificate/);
  });

  it('takes an announcement over a pinned connection that keeps its key', () => {
    expect(announcementProblem(A, [A, B])).toBeNull();
  });

  it('refuses an announcement that would lock the agent out of the dashboard it came from', () => {
    expect(announcementProblem(A, [B])).toMatch(/leave out/);
  });

  it('refuses an announcement over a connection that was not pinned', () => {
    expect(announcementProblem(null, [A])).toMatch(/not pinned/);
  });

  it('reads the kept announcement, and nothing from a missing or damaged file', () => {
    expect(readAnnouncedPins(JSON.stringify({ pins: [A, B] }))).toEqual([A, B]);
    expect(readAnnouncedPins(null)).toBeNull();
    expect(readAnnouncedPins('{"pins":["md5/x"]}')).toBeNull();
    expect(readAnnouncedPins('not json')).toBeNull();
  });
});
