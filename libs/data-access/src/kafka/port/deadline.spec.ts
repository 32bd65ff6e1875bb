import { withDeadline } from './deadline';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes on an outcome that comes in time', async () => {
    await expect(withDeadline(Promise.resolve(3), 100, () => new Error('late'))).resolves.toBe(3);
    await expect(withDeadline(Promise.reject(new Error('refused')), 100, () => new Error('late'))).rejects.toThrow('refused');
  });

  it('rejects with the late error when the work hangs past the bound', async () => {
    const hung = withDeadline(new Promise<number>(() => undefined), 100, () => new Error('late'));
    jest.advanceTimersByTime(100);
    await expect(hung).rejects.toThrow('late');
  });
});
