import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';

/** A span as received, IDs in hex, attributes as plain values. */
export interface ReceivedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  status: { code: number; message: string };
}

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Export requests that failed to decode (a test asserts there are none). */
  errors: string[];
  close(): Promise<void>;
}

const root = protobuf.parse(readFileSync(join(__dirname, 'otlp', 'trace-service.proto'), 'utf8')).root;
const ExportRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const ExportResponse = root.lookupType('otlp.ExportTraceServiceResponse');
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;

/** An OTLP/HTTP trace receiver (POST /v1/traces, binary protobuf) on a free local port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const errors: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        if (request.method !== 'POST' || request.url !== '/v1/traces') throw new Error(`unexpected ${request.method} ${request.url}`);
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        spans.push(...decodeExport(body));
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(ExportResponse.encode(ExportResponse.create({})).finish()));
      } catch (error) {
        errors.push((error as Error).message);
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    errors,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Plain = Record<string, unknown>;

/** Decodes one ExportTraceServiceRequest into flat spans. */
export function decodeExport(body: Uint8Array): ReceivedSpan[] {
  const request = ExportRequest.toObject(ExportRequest.decode(body), { longs: String, enums: Number, bytes: Buffer, defaults: true }) as Plain;
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans as Plain[]) {
    const resource = attributesOf(((resourceSpans.resource as Plain | undefined)?.attributes ?? []) as Plain[]);
    for (const scopeSpans of resourceSpans.scopeSpans as Plain[]) {
      for (const span of scopeSpans.spans as Plain[]) {
        const parent = hex(span.parentSpanId);
        spans.push({
          service: String(resource['service.name'] ?? ''),
          scope: String((scopeSpans.scope as Plain | undefined)?.name ?? ''),
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          name: String(span.name),
          kind: KINDS[Number(span.kind)] ?? 'unspecified',
          startNs: BigInt(String(span.startTimeUnixNano)),
          endNs: BigInt(String(span.endTimeUnixNano)),
          attributes: attributesOf(span.attributes as Plain[]),
          links: (span.links as Plain[]).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
          status: { code: Number((span.status as Plain | undefined)?.code ?? 0), message: String((span.status as Plain | undefined)?.message ?? '') },
        });
      }
    }
  }
  return spans;
}

function hex(bytes: unknown): string {
  return bytes instanceof Uint8Array ? Buffer.from(bytes).toString('hex') : '';
}

function attributesOf(list: Plain[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [String(kv.key), valueOf(kv.value as Plain | undefined)]));
}

function valueOf(value: Plain | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined && value.stringValue !== '') return value.stringValue;
  if (value.intValue !== undefined && value.intValue !== '0') return Number(value.intValue);
  if (value.doubleValue !== undefined && value.doubleValue !== 0) return value.doubleValue;
  if (value.boolValue) return true;
  if (value.arrayValue) return ((value.arrayValue as Plain).values as Plain[]).map(valueOf);
  if (value.bytesValue && (value.bytesValue as Uint8Array).length > 0) return hex(value.bytesValue);
  // proto3 defaults are not on the wire: an empty string, 0 or false all decode alike.
  return value.stringValue ?? 0;
}

/**
 * The spans as Jaeger draws a trace: each root (no parent among the given spans) with its
 * children indented, each line "service: name [kind] duration {attributes} -> links".
 */
export function renderSpanTree(spans: ReceivedSpan[], attributeKeys: (span: ReceivedSpan) => string[] = () => []): string {
  const byParent = new Map<string | undefined, ReceivedSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of (byParent.get(parent) ?? []).sort((a, b) => (a.startNs < b.startNs ? -1 : 1))) {
      const ms = Number(span.endNs - span.startNs) / 1e6;
      const attrs = attributeKeys(span)
        .filter((k) => span.attributes[k] !== undefined)
        .map((k) => `${k}=${JSON.stringify(span.attributes[k])}`);
      const links = span.links.map((l) => `${l.traceId.slice(0, 8)}/${l.spanId.slice(0, 8)}`);
      lines.push(
        `${'  '.repeat(depth)}${span.service}: ${span.name} [${span.kind}] ${ms.toFixed(1)} ms  trace=${span.traceId.slice(0, 8)} span=${span.spanId.slice(0, 8)}` +
          (attrs.length ? `  {${attrs.join(', ')}}` : '') +
          (links.length ? `  links-> ${links.join(' ')}` : ''),
      );
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
