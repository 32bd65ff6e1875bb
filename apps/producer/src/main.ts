import 'reflect-metadata';
import { exitCleanlyOnSignals, hideKnownKafkajsWarnings } from '@async2/platform';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { PRODUCER_CONFIG, type ProducerConfig, loadProducerConfig } from './config/producer.config';
import { registerFastifyErrorHandler } from './platform/fastify-errors';
import { registerJsonBodyParser } from './platform/json-body.parser';

async function bootstrap(): Promise<void> {
  hideKnownKafkajsWarnings();
  // Validate configuration before anything connects: a bad variable fails the start, named.
  const bootConfig = loadProducerConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: bootConfig.bodyLimitBytes,
    // IDs may be 256 bytes of UTF-8, up to 768 characters percent-encoded in a path.
    routerOptions: { maxParamLength: 1024 },
    // Node's own HTTP parser rejects Transfer-Encoding with Content-Length; never the insecure one.
    http: { insecureHTTPParser: false },
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bufferLogs: true,
    bodyParser: false, // ours, below: JSON errors in the same shape as every other bad input
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  registerFastifyErrorHandler(fastify);
  exitCleanlyOnSignals(app, logger);
  const config = app.get<ProducerConfig>(PRODUCER_CONFIG);
  await app.listen(config.port, config.host);
  logger.log(`producer ${config.instanceId} listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
