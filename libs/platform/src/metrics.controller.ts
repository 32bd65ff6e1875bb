import { Controller, Get, Header } from '@nestjs/common';
import { register } from 'prom-client';

/** Prometheus exposition of the process's default registry (never behind API keys). */
@Controller()
export class MetricsController {
  @Get('metrics')
  @Header('content-type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
