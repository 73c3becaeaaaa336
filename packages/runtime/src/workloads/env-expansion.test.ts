import { describe, expect, it } from 'vitest';
import { expand } from './env-expansion.js';

const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', VAR_C: 'C', VAR_REF: '$(VAR_A)', VAR_EMPTY: '' };
const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);

describe('expand ($(VAR) in env values, as kubelet expands them)', () => {
  it('replaces $(NAME) by a defined variable, anywhere and as often as it occurs', () => {
    expect(expand('$(VAR_A)', lookup)).toBe('A');
    expect(expand('$(VAR_A)-$(VAR_A)', lookup)).toBe('A-A');
    expect(expand('___$(VAR_B)___', lookup)).toBe('___B___');
    expect(expand('$(VAR_A)_$(VAR_B)_$(VAR_C)', lookup)).toBe('A_B_C');
    expect(expand('foo$(VAR_EMPTY)bar', lookup)).toBe('foobar');
  });

  it('leaves a reference to an undefined variable as written', () => {
    expect(expand('$(VAR_DNE)', lookup)).toBe('$(VAR_DNE)');
    expect(expand('mongodb://$(USER):$(VAR_A)@h', lookup)).toBe('mongodb://$(USER):A@h');
  });

  it('does not expand a value again: a value that is itself a reference stays one', () => {
    expect(expand('$(VAR_REF)', lookup)).toBe('$(VAR_A)');
    expect(expand('%%$(VAR_REF)--$(VAR_REF)%%', lookup)).toBe('%%$(VAR_A)--$(VAR_A)%%');
  });

  it('reads $$ as a literal $, so $$(NAME) is the text $(NAME)', () => {
    expect(expand('$$(VAR_B)_$(VAR_A)', lookup)).toBe('$(VAR_B)_A');
    expect(expand('$$(VAR_A)_$$(VAR_B)', lookup)).toBe('$(VAR_A)_$(VAR_B)');
    expect(expand('f000-$$VAR_A', lookup)).toBe('f000-$VAR_A');
    expect(expand('$$$$$$(BIG_MONEY)', lookup)).toBe('$$$(BIG_MONEY)');
    expect(expand('$$$$$$(VAR_A)', lookup)).toBe('$$$(VAR_A)');
    expect(expand('$$$$$$$(GOOD_ODDS)', lookup)).toBe('$$$$(GOOD_ODDS)');
    expect(expand('$$$$$$$(VAR_A)', lookup)).toBe('$$$A');
  });

  it('keeps every other $ as written: shell syntax, bare names, unterminated or nested expressions, a trailing $', () => {
    expect(expand('$VAR_A', lookup)).toBe('$VAR_A');
    expect(expand('${VAR_A}', lookup)).toBe('${VAR_A}');
    expect(expand('$?_boo_$!', lookup)).toBe('$?_boo_$!');
    expect(expand('$VAR_A)', lookup)).toBe('$VAR_A)');
    expect(expand('f00__(VAR_A)__', lookup)).toBe('f00__(VAR_A)__');
    expect(expand('foo$(VAR_Awhoops!', lookup)).toBe('foo$(VAR_Awhoops!');
    expect(expand('$(VAR_B)_______$(A', lookup)).toBe('B_______$(A');
    expect(expand('$(VAR_C)_______$(', lookup)).toBe('C_______$(');
    expect(expand('$(VAR_A)foobarzab$', lookup)).toBe('Afoobarzab$');
    expect(expand('--$($($($($--', lookup)).toBe('--$($($($($--');
    expect(expand('$($($($($--foo$(', lookup)).toBe('$($($($($--foo$(');
    expect(expand('$(VAR_A$(VAR_B))', lookup)).toBe('$(VAR_A$(VAR_B))');
    expect(expand('$(VAR_A$(VAR_B)', lookup)).toBe('$(VAR_A$(VAR_B)');
    expect(expand('$(foo$$var)', lookup)).toBe('$(foo$$var)');
    expect(expand('foo\\$(VAR_C)bar', lookup)).toBe('foo\\Cbar');
    expect(expand('$€$(VAR_A)', lookup)).toBe('$€A');
    expect(expand('\n', lookup)).toBe('\n');
  });
});
