import { describe, expect, it } from 'vitest';
import { csrfProblem } from './csrf';
import { LoginRateLimiter } from './rate-limit';
import { readSessionToken, sessionCookie } from './cookies';

describe('csrfProblem', () => {
  const json = { 'content-type': 'application/json', host: 'lb.example:3000' };
  it.each([
    {
      name: 'a same-origin JSON POST passes',
      method: 'POST',
      headers: { ...json, origin: 'http://lb.example:3000', 'sec-fetch-site': 'same-origin' },
      ok: true,
    },
    { name: 'a JSON POST from a non-browser client (no Origin) passes', method: 'POST', headers: json, ok: true },
    { name: 'GET is never a mutation', method: 'GET', headers: { origin: 'http://evil.example' }, ok: true },
    {
      name: 'a form POST is refused',
      method: 'POST',
      headers: { ...json, 'content-type': 'application/x-www-form-urlencoded' },
      ok: false,
    },
    {
      name: 'a text/plain POST (no preflight) is refused',
      method: 'POST',
      headers: { ...json, 'content-type': 'text/plain' },
      ok: false,
    },
    {
      name: 'a cross-origin POST is refused',
      method: 'POST',
      headers: { ...json, origin: 'http://evil.example' },
      ok: false,
    },
    {
      name: 'a cross-site fetch is refused',
      method: 'POST',
      headers: { ...json, 'sec-fetch-site': 'cross-site' },
      ok: false,
    },
    { name: 'an opaque origin is refused', method: 'POST', headers: { ...json, origin: 'null' }, ok: false },
  ])('$name', ({ method, headers, ok }) => {
    expect(csrfProblem({ method, headers }) === null).toBe(ok);
  });

  it('an origin on the allow-list may post', () => {
    expect(
      csrfProblem({ method: 'POST', headers: { ...json, origin: 'https://dash.example' } }, ['https://dash.example']),
    ).toBeNull();
  });
});

describe('LoginRateLimiter', () => {
  it('refuses after perUser failures within the window and allows again when they age out', () => {
    let now = 1_000_000;
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 3, perAddress: 100 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.check('Alice', '192.0.2.1')).toBeNull();
      l.fail('alice', '192.0.2.1');
      now += 1000;
    }
    expect(l.check('alice', '192.0.2.9')).toBe(57_000);
    now += 57_000;
    expect(l.check('alice', '192.0.2.9')).toBeNull();
  });

  it('limits one address across usernames', () => {
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 100, perAddress: 2 }, () => 0);
    l.fail('a', '192.0.2.1');
    l.fail('b', '192.0.2.1');
    expect(l.check('c', '192.0.2.1')).not.toBeNull();
    expect(l.check('c', '192.0.2.2')).toBeNull();
  });

  it('a success clears the username, not the address', () => {
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 1, perAddress: 1 }, () => 0);
    l.fail('a', '192.0.2.1');
    l.succeed('a');
    expect(l.check('a', null)).toBeNull();
    expect(l.check('a', '192.0.2.1')).not.toBeNull();
  });

  it('counts guesses sent in parallel: slots are reserved before the password is checked', () => {
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 5, perAddress: 100 }, () => 0);
    // Ten sign-ins arrive before any password check finishes (argon2 takes ~50 ms each).
    const slots = Array.from({ length: 10 }, () => l.reserve('admin', '203.0.113.5'));
    expect(slots.filter((r) => 'attempt' in r)).toHaveLength(5);
    expect(slots.filter((r) => 'waitMs' in r)).toHaveLength(5);
  });

  it('gives the slot back on success: a right password does not count against the address', () => {
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 5, perAddress: 2 }, () => 0);
    for (let i = 0; i < 5; i++) {
      const r = l.reserve(`user${i}`, '203.0.113.5');
      if (!('attempt' in r)) throw new Error('refused');
      l.succeed(`user${i}`, r.attempt);
    }
    expect(l.check('someone', '203.0.113.5')).toBeNull();
  });

  it('keeps its memory bounded however many names and addresses are tried', () => {
    const l = new LoginRateLimiter({ windowMs: 60_000, perUser: 5, perAddress: 20, maxKeys: 1000 }, () => 0);
    for (let i = 0; i < 20_000; i++) l.fail(`name${i}`, `198.51.100.${i % 250}`);
    expect(l.size).toBeLessThanOrEqual(1000);
  });
});

describe('session cookie', () => {
  it('is httpOnly, SameSite=Lax, and Secure when asked', () => {
    expect(sessionCookie('t'.repeat(43), { maxAgeMs: 60_000, secure: true })).toBe(
      `kw_session=${'t'.repeat(43)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure`,
    );
  });
  it('reads only a well-formed token from the Cookie header', () => {
    expect(readSessionToken(`a=b; kw_session=${'x'.repeat(43)}`)).toBe('x'.repeat(43));
    expect(readSessionToken('kw_session=bad token')).toBeNull();
    expect(readSessionToken(undefined)).toBeNull();
  });
});
