import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { type ExplicitProducerRecord, IdempotentSender } from './idempotent-sender';

/** A stand-in for kafkajs's producer: records what each instance was asked to do. */
function fakeProducers(failures: Set<number>) {
  const made: Array<{ id: number; sends: number; connected: boolean }> = [];
  let call = 0;
  const create = (): Producer => {
    const me = { id: made.length, sends: 0, connected: false };
    made.push(me);
    return {
      connect: async () => {
        me.connected = true;
      },
      disconnect: async () => {
        me.connected = false;
      },
      send: async (_record: ProducerRecord): Promise<RecordMetadata[]> => {
        me.sends++;
        if (failures.has(call++)) throw new Error('request timed out');
        return [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: String(call) }];
      },
    } as unknown as Producer;
  };
  return { made, create };
}

const record: ExplicitProducerRecord = { topic: 't', messages: [{ value: 'v', partition: 0 }] };

describe('IdempotentSender', () => {
  it('keeps one producer while sends succeed', async () => {
    const { made, create } = fakeProducers(new Set());
    const sender = new IdempotentSender(create);
    await sender.connect();
    await sender.send(record);
    await sender.send(record);
    expect(made).toHaveLength(1);
    expect(made[0].sends).toBe(2);
  });

  it('after a failed send, sends the next batch from a new producer (a new producer id), never the old one', async () => {
    const { made, create } = fakeProducers(new Set([1]));
    const sender = new IdempotentSender(create);
    await sender.connect();
    await sender.send(record);
    await expect(sender.send(record)).rejects.toThrow('request timed out');
    await sender.send(record);
    expect(made.map((p) => p.sends)).toEqual([2, 1]);
    expect(made[0].connected).toBe(false);
    expect(made[1].connected).toBe(true);
    expect(sender.renewals).toBe(1);
  });

  it('sends one request at a time, in the order asked', async () => {
    const order: string[] = [];
    const create = (): Producer =>
      ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        send: async (r: ProducerRecord) => {
          order.push(`start ${r.topic}`);
          await new Promise((resolve) => setTimeout(resolve, r.topic === 'a' ? 20 : 1));
          order.push(`end ${r.topic}`);
          return [];
        },
      }) as unknown as Producer;
    const sender = new IdempotentSender(create);
    await Promise.all([sender.send({ topic: 'a', messages: [] }), sender.send({ topic: 'b', messages: [] })]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('an answer covering one partition of two is a failed send: it throws, and the next send comes from a new producer id', async () => {
    const made: Array<{ sends: ProducerRecord[] }> = [];
    const create = (): Producer => {
      const me = { sends: [] as ProducerRecord[] };
      made.push(me);
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        // kafkajs after a leader change: resolves, but only partition 0 was answered (and stored)
        send: async (r: ProducerRecord): Promise<RecordMetadata[]> => {
          me.sends.push(r);
          return [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '4' }];
        },
      } as unknown as Producer;
    };
    const sender = new IdempotentSender(create);
    const twoPartitions: ExplicitProducerRecord = { topic: 't', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }] };
    await expect(sender.send(twoPartitions)).rejects.toMatchObject({ name: 'ProduceAnswerMismatchError', code: 'produce_answer_mismatch', problems: ['no answer for partition 1'] });
    await sender.send(record);
    expect(made.map((p) => p.sends.length)).toEqual([1, 1]);
    expect(sender.renewals).toBe(1);
  });

  it('a send not answered within sendTimeoutMs fails with SendTimeoutError, and the next comes from a new producer', async () => {
    const made: Array<{ sends: number; disconnected: boolean }> = [];
    const create = (): Producer => {
      const me = { sends: 0, disconnected: false };
      made.push(me);
      return {
        connect: async () => undefined,
        disconnect: async () => {
          me.disconnected = true;
        },
        // the first producer hangs, as kafkajs does on a SIGSTOPped broker
        send: (): Promise<RecordMetadata[]> => {
          me.sends++;
          return made.length === 1 ? new Promise(() => undefined) : Promise.resolve([{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '0' }]);
        },
      } as unknown as Producer;
    };
    const sender = new IdempotentSender(create, 50);
    await expect(sender.send(record)).rejects.toMatchObject({ name: 'SendTimeoutError', code: 'kafka_send_timeout' });
    await expect(sender.send(record)).resolves.toHaveLength(1);
    expect(made).toEqual([{ sends: 1, disconnected: true }, { sends: 1, disconnected: false }]);
  });
});
