import { logLevel } from 'kafkajs';
import { appLogLevelOf, kafkajsLogLevelFor } from './kafkajs-log-level';

describe('appLogLevelOf', () => {
  // What a healthy start saw (kafkajs's own words): a fresh broker, a new topic, two apps creating it.
  it.each([
    'Response GroupCoordinator(key: 10, version: 2)',
    'Response InitProducerId(key: 22, version: 1)',
    'Response ListOffsets(key: 2, version: 3)',
    'Response CreateTopics(key: 19, version: 3)',
  ])('puts the broker\'s error answer "%s" at debug', (message) => {
    expect(appLogLevelOf({ namespace: 'Connection', level: logLevel.ERROR, message })).toBe('debug');
  });

  it('keeps other connection errors and errors of other namespaces at error', () => {
    expect(appLogLevelOf({ namespace: 'Connection', level: logLevel.ERROR, message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1' })).toBe('error');
    expect(appLogLevelOf({ namespace: 'Consumer', level: logLevel.ERROR, message: 'Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available' })).toBe('error');
  });

  it('puts the limited-retries notice of our idempotent producers at debug, and other warnings at warn', () => {
    expect(appLogLevelOf({ namespace: 'Producer', level: logLevel.WARN, message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees' })).toBe('debug');
    expect(appLogLevelOf({ namespace: 'Producer', level: logLevel.WARN, message: 'something else' })).toBe('warn');
  });

  it('puts kafkajs INFO at debug and its DEBUG at trace', () => {
    expect(appLogLevelOf({ namespace: 'Runner', level: logLevel.INFO, message: 'consumer not running, exiting' })).toBe('debug');
    expect(appLogLevelOf({ namespace: 'Connection', level: logLevel.DEBUG, message: 'Request Metadata(key: 3, version: 6)' })).toBe('trace');
  });
});

describe('kafkajsLogLevelFor', () => {
  it.each([
    ['silent', logLevel.NOTHING],
    ['fatal', logLevel.ERROR],
    ['error', logLevel.ERROR],
    ['warn', logLevel.WARN],
    ['info', logLevel.WARN],
    ['debug', logLevel.INFO],
    ['trace', logLevel.DEBUG],
  ])('LOG_LEVEL=%s lets kafkajs log up to %s', (app, kafkajs) => {
    expect(kafkajsLogLevelFor(app)).toBe(kafkajs);
  });
});
