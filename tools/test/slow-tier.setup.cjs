// Integration and e2e tests start processes and wait on real services: a per-test bound of minutes,
// not seconds. (Jest's testTimeout is a global option, not honoured per project.)
jest.setTimeout(180_000);
