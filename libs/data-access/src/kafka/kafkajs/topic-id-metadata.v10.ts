/*
 * Kafka Metadata request/response v10 (api key 3), only as far as a topic's id: kafkajs 2.2.4 speaks
 * Metadata up to v6, and the topic id (a UUID, new with every creation of a topic of that name)
 * appears in v10. v9+ are "flexible" versions (KIP-482): compact arrays and strings (length + 1 as
 * an unsigned varint) and a tagged-field section (here always empty: one 0 byte) after each struct.
 *
 *   request  := header_tags(0) topics(compact array of { topic_id uuid(16 zero bytes), name compact_string, tags(0) })
 *               allow_auto_topic_creation(bool) include_cluster_authorized_operations(bool)
 *               include_topic_authorized_operations(bool) tags(0)
 *   response := header_tags throttle_time_ms(int32)
 *               brokers(compact array of { node_id int32, host compact_string, port int32, rack compact_nullable_string, tags })
 *               cluster_id(compact_nullable_string) controller_id(int32)
 *               topics(compact array of { error_code int16, name compact_nullable_string, topic_id uuid, ... })
 * The decoder reads the first topic's error code, name and id and ignores the rest.
 */
export const METADATA_API_KEY = 3;
export const METADATA_TOPIC_ID_VERSION = 10;

/** The request body (after kafkajs's v1 header: api key, version, correlation id, client id). */
export function encodeTopicIdRequest(topic: string): Buffer {
  const name = Buffer.from(topic, 'utf8');
  return Buffer.concat([
    Buffer.from([0]), // request header v2: empty tagged fields
    uvarint(2), // one topic
    Buffer.alloc(16), // topic_id: zero = look up by name
    uvarint(name.length + 1),
    name,
    Buffer.from([0]), // topic tags
    Buffer.from([0, 0, 0]), // allow auto-creation, cluster ops, topic ops: all false
    Buffer.from([0]), // tags
  ]);
}

export interface TopicIdAnswer {
  errorCode: number;
  name: string | null;
  /** 32 hex digits; all zeros when the broker does not know the topic. */
  topicId: string;
}

/** Decodes the response payload after the correlation id. */
export function decodeTopicIdResponse(payload: Buffer): TopicIdAnswer {
  const r = new Reader(payload);
  r.tags();
  r.skip(4); // throttle_time_ms
  for (let brokers = r.uvarint() - 1; brokers > 0; brokers--) {
    r.skip(4);
    r.string();
    r.skip(4);
    r.string();
    r.tags();
  }
  r.string(); // cluster_id
  r.skip(4); // controller_id
  if (r.uvarint() - 1 < 1) throw new Error('Metadata v10 answered no topic');
  const errorCode = r.int16();
  const name = r.string();
  return { errorCode, name, topicId: r.bytes(16).toString('hex') };
}

function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}

  uvarint(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= this.buffer.length) throw new Error('Metadata v10 response is truncated');
      const byte = this.buffer[this.at++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
    }
  }

  int16(): number {
    return this.bytes(2).readInt16BE(0);
  }

  bytes(n: number): Buffer {
    if (this.at + n > this.buffer.length) throw new Error('Metadata v10 response is truncated');
    const slice = this.buffer.subarray(this.at, this.at + n);
    this.at += n;
    return slice;
  }

  skip(n: number): void {
    this.bytes(n);
  }

  /** A compact nullable string: length + 1 (0 = null). */
  string(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.bytes(n - 1).toString('utf8');
  }

  tags(): void {
    for (let count = this.uvarint(); count > 0; count--) {
      this.uvarint(); // tag
      this.skip(this.uvarint());
    }
  }
}
