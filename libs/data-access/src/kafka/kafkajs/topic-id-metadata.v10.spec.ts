import { decodeTopicIdResponse, encodeTopicIdRequest } from './topic-id-metadata.v10';

// Byte fixtures written from the Kafka protocol's MetadataRequest/MetadataResponse v10 schemas
// (clients/src/main/resources/common/message/Metadata*.json): flexible version, compact fields.
describe('Metadata v10 for a topic id', () => {
  it('encodes the request for one topic by name', () => {
    expect(encodeTopicIdRequest('ev').toString('hex')).toBe(
      '00' + // request header tagged fields
        '02' + // topics: 1 (compact: n + 1)
        '00'.repeat(16) + // topic_id: zero, look up by name
        '03' + '6576' + // name "ev" (compact: length + 1)
        '00' + // topic tags
        '000000' + // allow_auto_topic_creation, include_cluster/topic_authorized_operations
        '00', // tags
    );
  });

  it("decodes the first topic's error code, name and id after the brokers and cluster id", () => {
    const id = '3f1fd18889164b71ace20e3a4291c6a9';
    const response = Buffer.from(
      '00' + // response header tagged fields
        '00000000' + // throttle_time_ms
        '02' + '00000001' + '0a' + Buffer.from('127.0.0.1').toString('hex') + '0000bbbc' + '00' + '00' + // one broker, rack null
        '05' + Buffer.from('abcd').toString('hex') + // cluster_id
        '00000001' + // controller_id
        '02' + '0000' + '03' + '6576' + id + '00' + '01' + '00000000' + '00' + // one topic, no partitions
        '00000000' + '00',
      'hex',
    );
    expect(decodeTopicIdResponse(response)).toEqual({ errorCode: 0, name: 'ev', topicId: id });
  });

  it('reads an unknown topic as its error code (3) and a zero id', () => {
    const response = Buffer.from('00' + '00000000' + '01' + '00' + '00000001' + '02' + '0003' + '03' + '6576' + '00'.repeat(16) + '00' + '01' + '00000000' + '00', 'hex');
    expect(decodeTopicIdResponse(response)).toEqual({ errorCode: 3, name: 'ev', topicId: '00'.repeat(16) });
  });

  it('throws on a truncated response instead of reading garbage', () => {
    expect(() => decodeTopicIdResponse(Buffer.from('0000000000', 'hex'))).toThrow(/truncated/);
  });
});
