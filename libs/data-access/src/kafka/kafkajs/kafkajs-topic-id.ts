import type { Kafka } from 'kafkajs';
import { TopicIdUnavailableError } from '../port/topic-id-unavailable.error';
import { METADATA_API_KEY, METADATA_TOPIC_ID_VERSION, decodeTopicIdResponse, encodeTopicIdRequest } from './topic-id-metadata.v10';

// kafkajs's own Encoder: its request framing accepts only that class as a payload.
const KafkajsEncoder = require('kafkajs/src/protocol/encoder') as new () => { writeBuffer(b: Buffer): unknown };

interface InternalBroker {
  versions: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send(request: unknown): Promise<Buffer> };
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  brokerPool: { seedBroker: InternalBroker };
}

/**
 * The topic's id (Kafka gives every creation of a topic a new UUID; KIP-516), as 32 hex digits.
 * kafkajs 2.2.4 asks for Metadata only up to v6, which has no id, so this sends one Metadata v10
 * request over a kafkajs connection of its own (same brokers, TLS and SASL as the app's client).
 * The connection comes from kafkajs's cluster factory, which the Kafka object keeps under a
 * private symbol: pinned by the exact kafkajs version in package.json and covered by an int test.
 */
export async function fetchTopicId(kafka: Kafka, topic: string): Promise<string> {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!factory) throw new TopicIdUnavailableError(topic, 'this kafkajs version has no cluster factory to reach');
  const cluster = (kafka as unknown as Record<symbol, (o: object) => InternalCluster>)[factory]({ allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    const broker = cluster.brokerPool.seedBroker;
    const supported = broker.versions[METADATA_API_KEY];
    if (!supported || supported.maxVersion < METADATA_TOPIC_ID_VERSION) {
      throw new TopicIdUnavailableError(topic, `the broker speaks Metadata up to v${supported?.maxVersion ?? '?'}; topic ids need v10 (Kafka 2.8+)`);
    }
    const answer = await broker.connectionPool.send({
      request: {
        apiKey: METADATA_API_KEY,
        apiVersion: METADATA_TOPIC_ID_VERSION,
        apiName: 'Metadata',
        encode: async () => {
          const encoder = new KafkajsEncoder();
          encoder.writeBuffer(encodeTopicIdRequest(topic));
          return encoder;
        },
      },
      response: { decode: async (payload: Buffer) => decodeTopicIdResponse(payload), parse: async (data: unknown) => data },
    });
    const { errorCode, topicId } = answer as unknown as ReturnType<typeof decodeTopicIdResponse>;
    if (errorCode !== 0) throw new TopicIdUnavailableError(topic, `the broker answered error code ${errorCode}`);
    if (/^0+$/.test(topicId)) throw new TopicIdUnavailableError(topic, 'the broker answered no id');
    return topicId;
  } finally {
    await cluster.disconnect();
  }
}
