import { describe, expect, it } from 'vitest';
import { parseKeepalived, splitScriptCommand, type KeepalivedStatement } from './parse.js';

/** A compact view of a tree: keyword, args and children, no positions. */
function shape(sts: KeepalivedStatement[]): unknown[] {
  return sts.map((s) => (s.block ? [s.keyword, ...s.args, shape(s.block)] : [s.keyword, ...s.args]));
}

function ok(text: string, options = {}) {
  const r = parseKeepalived(text, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('parseKeepalived', () => {
  it('reads blocks, statements and their arguments', () => {
    expect(shape(ok('global_defs {\n router_id LVS_1\n}\n').statements)).toEqual([
      ['global_defs', [['router_id', 'LVS_1']]],
    ]);
  });

  it.each([
    { name: '! comment lines', text: '! Configuration File\nrouter_id A\n' },
    { name: '# comment lines', text: '# comment\nrouter_id A\n' },
    { name: 'trailing ! comments', text: 'router_id A ! the node\n' },
    { name: 'trailing # comments', text: 'router_id A # the node\n' },
  ])('ignores $name', ({ text }) => {
    expect(shape(ok(text).statements)).toEqual([['router_id', 'A']]);
  });

  it('keeps a quoted string as one argument, comment characters included', () => {
    expect(shape(ok('script "/bin/check --flag # not a comment"\n').statements)).toEqual([
      ['script', '/bin/check --flag # not a comment'],
    ]);
  });

  it('opens a block with "{" on the next line', () => {
    expect(shape(ok('track_script\n{\n chk\n}\n').statements)).toEqual([['track_script', [['chk']]]]);
  });

  it('reads a block opened and closed on one line', () => {
    expect(shape(ok('track_script { chk }\n').statements)).toEqual([['track_script', [['chk']]]]);
  });

  it('closes a block with "}" at the start of a line, as the reference files do', () => {
    expect(shape(ok('a {\n b {\n  c\n}\n}\n').statements)).toEqual([['a', [['b', [['c']]]]]]);
  });

  it('records the file and line of every statement', () => {
    const st = ok('\n\nvrrp_instance VI_1 {\n  state MASTER\n}\n', { file: 'ka.conf' }).statements[0];
    expect(st).toMatchObject({ file: 'ka.conf', line: 3 });
    expect(st?.block?.[0]).toMatchObject({ keyword: 'state', line: 4 });
  });

  it('splices included files in place through the injected reader', () => {
    const files: Record<string, string> = {
      '/etc/keepalived/conf.d/a.conf': 'vrrp_script a {\n script "/bin/true"\n}\n',
    };
    const r = ok('global_defs {\n}\ninclude conf.d/*.conf\nvrrp_instance X {\n}\n', {
      file: '/etc/keepalived/keepalived.conf',
      readInclude: (pattern: string) =>
        pattern === 'conf.d/*.conf' ? Object.entries(files).map(([path, text]) => ({ path, text })) : [],
    });
    expect(r.statements.map((s) => s.keyword)).toEqual(['global_defs', 'vrrp_script', 'vrrp_instance']);
    expect(r.statements[1]).toMatchObject({ file: '/etc/keepalived/conf.d/a.conf', line: 1 });
  });

  it('warns when an include matches no file', () => {
    const r = ok('include /none/*.conf\n', { readInclude: () => [] });
    expect(r.warnings[0]?.message).toMatch(/matched no file/);
  });

  it.each([
    { name: 'an unbalanced "}"', text: 'a\n}\n', message: /unbalanced "}"/, line: 2 },
    {
      name: 'a block left open',
      text: 'vrrp_instance X {\n state MASTER\n',
      message: /block "vrrp_instance" is not closed/,
      line: 1,
    },
    { name: 'an unterminated quote', text: 'script "/bin/true\n', message: /unterminated/, line: 1 },
    { name: 'an include without a reader', text: 'include x.conf\n', message: /needs a file reader/, line: 1 },
  ])('reports $name with its line', ({ text, message, line }) => {
    const r = parseKeepalived(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.message).toMatch(message);
    expect(r.errors[0]?.line).toBe(line);
  });

  it('reports an include cycle instead of recursing', () => {
    const r = parseKeepalived('include a.conf\n', {
      file: 'main.conf',
      readInclude: () => [{ path: 'main.conf', text: 'include a.conf\n' }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/include cycle/);
  });
});

describe('splitScriptCommand', () => {
  it.each([
    { command: '/etc/keepalived/check_nginx.sh', argv: ['/etc/keepalived/check_nginx.sh'] },
    { command: '/bin/check  a   b', argv: ['/bin/check', 'a', 'b'] },
    { command: "/bin/sh -c 'pidof nginx'", argv: ['/bin/sh', '-c', 'pidof nginx'] },
    { command: '/bin/x "a b" c', argv: ['/bin/x', 'a b', 'c'] },
  ])('splits $command like keepalived', ({ command, argv }) => {
    expect(splitScriptCommand(command)).toEqual(argv);
  });

  it('returns null for an unclosed quote', () => {
    expect(splitScriptCommand("/bin/sh -c 'x")).toBeNull();
  });
});
