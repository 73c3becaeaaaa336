import { describe, expect, it } from 'vitest';
import type { StringMatch } from '../api/istio-schemas.js';
import { compileMatch, type RequestFacts } from './match.js';
import { source } from './test-fixtures.js';

const facts = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET',
  url: '/reviews/7?debug=1',
  headers: { 'end-user': 'jason', 'user-agent': 'Mozilla/5.0 Chrome/120' },
  port: 9080,
  source: source('default', { app: 'productpage', version: 'v1' }),
  gateways: new Set(['mesh']),
  ...overrides,
});

/** A StringMatch applied to one value, as a header condition (an absent value is an absent header). */
const stringMatches = (match: StringMatch, value: string | undefined) =>
  compileMatch({ headers: { probe: match } })(facts({ headers: value === undefined ? {} : { probe: value } }));

/** One match condition, translated as the route tables translate it, applied to one request. */
const requestMatches = (match: Parameters<typeof compileMatch>[0], request: RequestFacts, gateways?: ReadonlySet<string>) => compileMatch(match, gateways)(request);

describe('StringMatch', () => {
  it('exact, prefix, and regex as a full-string RE2 match', () => {
    expect(stringMatches({ exact: 'jason' }, 'jason')).toBe(true);
    expect(stringMatches({ exact: 'jason' }, 'jason2')).toBe(false);
    expect(stringMatches({ prefix: '/reviews' }, '/reviews/7')).toBe(true);
    expect(stringMatches({ regex: 'jas.n' }, 'jason')).toBe(true);
    // Envoy's safe_regex must match the whole value: no implicit .* around it.
    expect(stringMatches({ regex: 'jas' }, 'jason')).toBe(false);
    expect(stringMatches({ regex: '.*Chrome.*' }, 'Mozilla/5.0 Chrome/120')).toBe(true);
  });

  it('an empty match only asks for presence; an absent value never matches', () => {
    expect(stringMatches({}, '')).toBe(true);
    expect(stringMatches({}, undefined)).toBe(false);
    expect(stringMatches({ prefix: '' }, undefined)).toBe(false);
  });
});

describe('HTTPMatchRequest', () => {
  it('ANDs every condition it names (Istio docs: end-user jason AND uri prefix)', () => {
    const match = { headers: { 'end-user': { exact: 'jason' } }, uri: { prefix: '/reviews' } };
    expect(requestMatches(match, facts())).toBe(true);
    expect(requestMatches(match, facts({ url: '/ratings/7' }))).toBe(false);
    expect(requestMatches(match, facts({ headers: { 'end-user': 'fox' } }))).toBe(false);
  });

  it('matches uri without the query string, and method', () => {
    expect(requestMatches({ uri: { exact: '/reviews/7' } }, facts())).toBe(true);
    expect(requestMatches({ uri: { regex: '/reviews/[0-9]+' } }, facts())).toBe(true);
    expect(requestMatches({ method: { exact: 'POST' } }, facts())).toBe(false);
  });

  it('ignoreUriCase applies to exact and prefix', () => {
    expect(requestMatches({ uri: { prefix: '/REVIEWS' }, ignoreUriCase: true }, facts())).toBe(true);
    expect(requestMatches({ uri: { prefix: '/REVIEWS' } }, facts())).toBe(false);
  });

  it('header values match case-sensitively: end-user Jason is not in jason\'s lane (Envoy StringMatcher, ignore_case false)', () => {
    const lane = { headers: { 'end-user': { exact: 'jason' } } };
    expect(requestMatches(lane, facts({ headers: { 'end-user': 'Jason' } }))).toBe(false);
    expect(requestMatches({ headers: { 'end-user': { prefix: 'ja' } } }, facts({ headers: { 'end-user': 'JASON' } }))).toBe(false);
    expect(requestMatches({ queryParams: { debug: { exact: 'ON' } } }, facts({ url: '/reviews/7?debug=on' }))).toBe(false);
  });

  it('header names are case-insensitive (Istio docs: the user-agent regex example)', () => {
    expect(requestMatches({ headers: { 'User-Agent': { regex: '.*Chrome.*' } } }, facts())).toBe(true);
  });

  it('withoutHeaders excludes requests whose header matches, and lets requests without it through', () => {
    const match = { withoutHeaders: { 'end-user': { exact: 'jason' } } };
    expect(requestMatches(match, facts())).toBe(false);
    expect(requestMatches(match, facts({ headers: { 'end-user': 'fox' } }))).toBe(true);
    expect(requestMatches(match, facts({ headers: {} }))).toBe(true);
  });

  it('queryParams match exact and regex values', () => {
    expect(requestMatches({ queryParams: { debug: { exact: '1' } } }, facts())).toBe(true);
    expect(requestMatches({ queryParams: { debug: { regex: '[0-9]' } } }, facts())).toBe(true);
    expect(requestMatches({ queryParams: { debug: { exact: '0' } } }, facts())).toBe(false);
    expect(requestMatches({ queryParams: { missing: { exact: '' } } }, facts())).toBe(false);
  });

  it('sourceLabels must all be on the caller; sourceNamespace must be its namespace (Istio docs: reviews v2 → ratings)', () => {
    const fromReviewsV2 = facts({ source: source('default', { app: 'reviews', version: 'v2' }) });
    expect(requestMatches({ sourceLabels: { app: 'reviews', version: 'v2' } }, fromReviewsV2)).toBe(true);
    expect(requestMatches({ sourceLabels: { app: 'reviews', version: 'v2' } }, facts())).toBe(false);
    expect(requestMatches({ sourceNamespace: 'default' }, facts())).toBe(true);
    expect(requestMatches({ sourceNamespace: 'fox' }, facts())).toBe(false);
  });

  it('port and gateways restrict a match', () => {
    expect(requestMatches({ port: 9080 }, facts())).toBe(true);
    expect(requestMatches({ port: 80 }, facts())).toBe(false);
    expect(requestMatches({}, facts(), new Set(['mesh']))).toBe(true);
    expect(requestMatches({}, facts(), new Set(['base/mall-gateway']))).toBe(false);
  });
});

describe('HTTPMatchRequest, condition by condition', () => {
  it('folds case under ignoreUriCase as Envoy does, ASCII only: /straße is not /STRASSE', () => {
    // Envoy's ignore_case compares with absl::EqualsIgnoreCase (ASCII); paths reach the proxy ASCII (percent-encoded).
    expect(requestMatches({ uri: { exact: '/straße' }, ignoreUriCase: true }, facts({ url: '/STRASSE' }))).toBe(false);
    expect(requestMatches({ uri: { prefix: '/straße' }, ignoreUriCase: true }, facts({ url: '/STRASSE/7' }))).toBe(false);
    expect(requestMatches({ uri: { exact: '/Reviews/7' }, ignoreUriCase: true }, facts())).toBe(true);
  });

  it('a regex never matches an absent header, not even one that matches anything', () => {
    expect(requestMatches({ headers: { 'x-canary': { regex: '.*' } } }, facts())).toBe(false);
    expect(requestMatches({ headers: { 'x-canary': { regex: '.*' } } }, facts({ headers: { 'x-canary': '' } }))).toBe(true);
  });

  it('withoutHeaders reads pseudo-headers too, whatever the case the name is written in', () => {
    expect(requestMatches({ withoutHeaders: { ':method': { exact: 'GET' } } }, facts())).toBe(false);
    expect(requestMatches({ withoutHeaders: { ':method': { exact: 'GET' } } }, facts({ method: 'POST' }))).toBe(true);
    expect(requestMatches({ withoutHeaders: { 'End-User': { exact: 'jason' } } }, facts())).toBe(false);
  });

  it('queryParams come only from after the ?: a path holding &name=value has no query', () => {
    expect(requestMatches({ queryParams: { mode: { exact: 'fast' } } }, facts({ url: '/set&mode=fast' }))).toBe(false);
    expect(requestMatches({ queryParams: { mode: { exact: 'fast' } } }, facts({ url: '/set?mode=fast' }))).toBe(true);
  });

  it('queryParams must all hold', () => {
    const both = { queryParams: { debug: { exact: '1' }, lang: { exact: 'en' } } };
    expect(requestMatches(both, facts({ url: '/reviews/7?debug=1&lang=en' }))).toBe(true);
    expect(requestMatches(both, facts({ url: '/reviews/7?debug=1&lang=fr' }))).toBe(false);
    expect(requestMatches(both, facts({ url: '/reviews/7?debug=1' }))).toBe(false);
  });

  it('sourceLabels: one label of two is not enough', () => {
    expect(requestMatches({ sourceLabels: { app: 'productpage', version: 'v2' } }, facts())).toBe(false);
    expect(requestMatches({ sourceLabels: { app: 'productpage', version: 'v1' } }, facts())).toBe(true);
  });

  it('naming several gateways, takes a request through any one of them', () => {
    const through = (gateway: string) => facts({ gateways: new Set([gateway]) });
    const gateways = new Set(['mesh', 'base/mall-gateway']);
    expect(requestMatches({}, through('base/mall-gateway'), gateways)).toBe(true);
    expect(requestMatches({}, through('mesh'), gateways)).toBe(true);
    expect(requestMatches({}, through('base/other'), gateways)).toBe(false);
  });
});
