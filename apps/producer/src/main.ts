import 'reflect-metadata';
import { bodyMaxDepth } from '@async2/domain';
import { exitCleanlyOnSignals } from '@async2/platform';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { PRODUCER_CONFIG, type ProducerConfig, loadProducerConfig } from './config/producer.config';
import { EventsGrpcTransport } from './grpc/events-grpc.transport';
import { refuseContentEncodings } from './platform/content-encoding.hook';
import { httpServerOptions } from './platform/http-server.options';
import { registerJsonBodyParser } from './platform/json-body.parser';

async function bootstrap(): Promise<void> {
  // Validate configuration before anything connects: a bad variable fails the start, named.
  const bootConfig = loadProducerConfig();
  const adapter = new FastifyAdapter(httpServerOptions(bootConfig) as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bufferLogs: true,
    bodyParser: false, // ours, below: JSON errors in the same shape as every other bad input
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  refuseContentEncodings(fastify);
  registerJsonBodyParser(fastify, bootConfig.bodyLimitBytes, bodyMaxDepth(bootConfig.limits.dataMaxDepth));
  exitCleanlyOnSignals(app, logger);
  // A hybrid app: the gRPC edge is Nest's GRPC transport beside HTTP. It serves once every module
  // initialised (Kafka connected, partition count known), before HTTP listens.
  app.connectMicroservice<CustomStrategy>({ strategy: app.get(EventsGrpcTransport) });
  await app.init();
  await app.startAllMicroservices();
  const config = app.get<ProducerConfig>(PRODUCER_CONFIG);
  await app.listen(config.port, config.host);
  logger.log(`producer ${config.instanceId} listening on http://${config.host}:${config.port}`);
}

bootstrap().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
