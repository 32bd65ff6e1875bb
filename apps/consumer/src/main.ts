import 'reflect-metadata';
import { exitCleanlyOnSignals } from '@async2/platform';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CONSUMER_CONFIG, type ConsumerConfig, loadConsumerConfig } from './config/consumer.config';

async function bootstrap(): Promise<void> {
  loadConsumerConfig(); // a bad variable fails the start, named, before anything connects
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  exitCleanlyOnSignals(app, logger);
  const config = app.get<ConsumerConfig>(CONSUMER_CONFIG);
  await app.listen(config.port, config.host);
  logger.log(`consumer ${config.instanceId} health on http://${config.host}:${config.port}/health/ready`);
}

bootstrap().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
