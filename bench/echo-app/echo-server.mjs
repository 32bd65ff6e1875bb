// The HTTP baseline: a bare NestJS app on Fastify (same adapter options as the producer) whose one
// handler answers 202 with the JSON body it received. No validation, no Kafka, no logging: what
// Nest + Fastify cost on their own on this machine. Plain JS, decorators applied by hand.
//   PORT=3999 node bench/echo-app/echo-server.mjs
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Body, Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class EchoController {
  echo(body) {
    return body;
  }

  health() {
    return { status: 'ok' };
  }
}
const method = (name) => Object.getOwnPropertyDescriptor(EchoController.prototype, name);
Body()(EchoController.prototype, 'echo', 0);
Reflect.defineMetadata('design:paramtypes', [Object], EchoController.prototype, 'echo');
HttpCode(202)(EchoController.prototype, 'echo', method('echo'));
Post('echo')(EchoController.prototype, 'echo', method('echo'));
Get('health')(EchoController.prototype, 'health', method('health'));
Controller()(EchoController);

class EchoModule {}
Module({ controllers: [EchoController] })(EchoModule);

const adapter = new FastifyAdapter({ bodyLimit: 4 * 1024 * 1024, http: { insecureHTTPParser: false } });
const app = await NestFactory.create(EchoModule, adapter, { logger: ['error'] });
await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
