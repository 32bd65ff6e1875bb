import { tracingSettings } from './tracing-settings';

describe('tracingSettings', () => {
  it('is off without an OTLP endpoint', () => {
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'producer' })).toEqual({ enabled: false });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual({ enabled: false });
  });

  it('is on with an endpoint, named by OTEL_SERVICE_NAME', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: 'consumer' })).toEqual({
      enabled: true,
      serviceName: 'consumer',
      endpoint: 'http://jaeger:4318',
    });
  });

  it('prefers the traces-only endpoint and falls back to a default service name', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces' }, 'producer')).toEqual({
      enabled: true,
      serviceName: 'producer',
      endpoint: 'http://b:4318/v1/traces',
    });
  });

  it('stays off when OTEL_SDK_DISABLED is true', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'TRUE' })).toEqual({ enabled: false });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });
});
