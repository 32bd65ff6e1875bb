import { clientErrorAnswer } from './http-client-errors';

const parserError = (code: string, reason = 'x') => Object.assign(new Error(reason), { code, reason });

describe('clientErrorAnswer: what Node refused before a route ran, as status, field and rule', () => {
  it.each<[string, number, string, string, string]>([
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'malformed_request', 'content-length', 'ambiguous-framing'],
    ['HPE_INVALID_CONTENT_LENGTH', 400, 'malformed_request', 'content-length', 'ambiguous-framing'],
    ['HPE_INVALID_TRANSFER_ENCODING', 400, 'malformed_request', 'transfer-encoding', 'ambiguous-framing'],
    ['HPE_INVALID_CHUNK_SIZE', 400, 'malformed_request', 'transfer-encoding', 'chunk-size'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'malformed_request', 'headers', 'header-syntax'],
    ['HPE_LF_EXPECTED', 400, 'malformed_request', 'headers', 'bare-cr'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large', 'headers', 'max-header-bytes'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout', '', 'request-timeout'],
    ['HPE_SOMETHING_NEW', 400, 'malformed_request', '', 'http-syntax'],
  ])('%s -> %i %s %s %s', (code, status, errorCode, field, rule) => {
    expect(clientErrorAnswer(parserError(code))).toMatchObject({ status, code: errorCode, field, rule });
  });

  it("names the parser's reason in the message", () => {
    expect(clientErrorAnswer(parserError('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length')).message).toContain('Duplicate Content-Length');
  });
});
