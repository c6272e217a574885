import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptedSpecs } from '../../test/arbitraries.js';
import { keepalivedSpecArb } from '../../test/keepalived-arbitraries.js';
import { keepalivedTest } from '../../test/keepalived-t.js';
import { importKeepalivedConfig } from './import.js';
import { renderKeepalivedConfig } from './render.js';

const accepted = acceptedSpecs(keepalivedSpecArb);

describe('renderKeepalivedConfig on any keepalived-expressible spec the schema accepts', () => {
  it('imports back to the same spec, with nothing unsupported or omitted', () => {
    fc.assert(
      fc.property(accepted, (spec) => {
        const out = renderKeepalivedConfig(spec, 'n1');
        expect(out.omitted).toEqual([]);
        const back = importKeepalivedConfig({ keepalived: { text: out.text, file: 'keepalived.conf' } });
        expect(back.unsupported).toEqual([]);
        expect(back.ok ? back.config.spec : back.errors).toEqual(spec);
      }),
      { numRuns: 300 },
    );
  });

  it('renders configs that real keepalived -t accepts (sampled)', () => {
    fc.assert(
      fc.property(accepted, (spec) => {
        const r = keepalivedTest(renderKeepalivedConfig(spec, 'n1').text, spec.nodes[0]?.interfaces ?? []);
        expect(r.output).toBe('');
      }),
      { numRuns: 15 },
    );
  }, 60_000);
});
