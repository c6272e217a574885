import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args';

describe('keepwatch-dashboard command line', () => {
  it('serves when no command is given', () => {
    expect(parseCli([])).toEqual({ ok: true, args: { command: 'serve' } });
  });

  it('reads create-admin with its user name', () => {
    expect(parseCli(['create-admin', '--username', 'alice'])).toEqual({
      ok: true,
      args: { command: 'create-admin', username: 'alice' },
    });
  });

  it('answers --version and -h before any command', () => {
    expect(parseCli(['--version'])).toEqual({ ok: true, args: { command: 'version' } });
    expect(parseCli(['migrate', '-h'])).toEqual({ ok: true, args: { command: 'help' } });
  });

  it('names an unknown command', () => {
    expect(parseCli(['serv'])).toEqual({ ok: false, problems: ['unknown command "serv"'] });
  });

  it('says create-admin needs --username', () => {
    expect(parseCli(['create-admin'])).toEqual({ ok: false, problems: ['--username is required for create-admin'] });
  });

  it('refuses a user name the API would refuse', () => {
    const r = parseCli(['create-admin', '--username', 'Root!']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(/^--username: must be 2-32 lowercase letters/);
  });

  it('refuses an option of another command', () => {
    expect(parseCli(['migrate', '--username', 'alice'])).toEqual({
      ok: false,
      problems: ['--username is not an option of migrate'],
    });
  });

  it('refuses an unknown option and a second command', () => {
    expect(parseCli(['--port', '80']).ok).toBe(false);
    expect(parseCli(['migrate', 'serve'])).toEqual({
      ok: false,
      problems: ['one command expected, got: migrate serve'],
    });
  });
});
