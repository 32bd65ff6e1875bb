// CONSUMER_READ_URL_TEMPLATE: the base URL of the consumer that owns a partition, with
// `{partition}` replaced by the partition number, e.g. on Kubernetes (a StatefulSet whose pod N owns
// partition N, behind a headless service) `http://consumer-{partition}.consumer-headless:3001`.
// Locally one consumer owns every partition, so the template has no placeholder.
const PLACEHOLDER = /\{partition\}/g;

/** The owner's base URL for `partition` (no trailing slash). */
export function ownerBaseUrl(template: string, partition: number): string {
  return template.replace(PLACEHOLDER, String(partition)).replace(/\/+$/, '');
}

/** Why a template is unusable, or undefined when it is fine. */
export function ownerTemplateProblem(template: string): string | undefined {
  const rest = template.replace(PLACEHOLDER, '0');
  if (/[{}]/.test(rest)) return 'the only placeholder is {partition}';
  try {
    const url = new URL(rest);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
    if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  } catch {
    return 'must be an http:// or https:// URL';
  }
  return undefined;
}
