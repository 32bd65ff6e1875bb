import { ConfigError, EnvReader } from '../../config/env-reader';
import { readKafkaClient } from './kafka-client.choice';

function read(env: Record<string, string>) {
  const reader = new EnvReader(env);
  const client = readKafkaClient(reader);
  reader.done();
  return client;
}

describe('KAFKA_CLIENT', () => {
  it('is platformatic when unset (the default: docs/performance.md#kafka-clients)', () => {
    expect(read({})).toBe('platformatic');
  });

  it.each(['kafkajs', 'platformatic'])('takes %s', (name) => {
    expect(read({ KAFKA_CLIENT: name })).toBe(name);
  });

  it('an unknown value stops the start, naming the variable and the choices', () => {
    expect(() => read({ KAFKA_CLIENT: 'foo' })).toThrow(ConfigError);
    expect(() => read({ KAFKA_CLIENT: 'foo' })).toThrow('KAFKA_CLIENT="foo": must be one of kafkajs, platformatic');
  });
});
