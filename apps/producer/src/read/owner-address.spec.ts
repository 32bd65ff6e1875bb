import { ownerBaseUrl, ownerTemplateProblem } from './owner-address';

describe('owner address template', () => {
  it('puts the partition in every placeholder and drops a trailing slash', () => {
    expect(ownerBaseUrl('http://consumer-{partition}.consumer-headless:3001/', 3)).toBe('http://consumer-3.consumer-headless:3001');
    expect(ownerBaseUrl('http://127.0.0.1:3001', 2)).toBe('http://127.0.0.1:3001');
  });

  it.each([
    ['http://consumer-{partition}.x:3001', undefined],
    ['https://127.0.0.1:3001', undefined],
    ['consumer:3001', 'must be an http:// or https:// URL'],
    ['ftp://x', 'must be an http:// or https:// URL'],
    ['http://consumer-{pod}:3001', 'the only placeholder is {partition}'],
    ['http://x:3001/?a=1', 'must not have a query or fragment'],
  ])('judges %j', (template, problem) => {
    expect(ownerTemplateProblem(template)).toBe(problem);
  });
});
