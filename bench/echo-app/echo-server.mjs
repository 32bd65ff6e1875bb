// The HTTP baseline: a bare NestJS app on Fastify (same adapter options as the producer) whose one
// handler answers 202 with the JSON body it received. No validation, no Kafka, no logging: what
// Nest + Fastify cost on their own on this machine. Plain JS, decorators applied by hand.
//   PORT=3999 [GRPC_PORT=3998] node bench/echo-app/echo-server.mjs
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

// With GRPC_PORT: also the gRPC baseline, a bare grpc-js server of the producer's EventService whose
// PublishStream answers every event at once with an ACCEPTED result (no validation, no Kafka): what
// grpc-js and HTTP/2 cost per stream message on their own on this machine.
if (process.env.GRPC_PORT) await serveGrpcEcho(Number(process.env.GRPC_PORT));

async function serveGrpcEcho(port) {
  const grpc = require('@grpc/grpc-js');
  const { dirname, join } = require('node:path');
  const { fileURLToPath } = require('node:url');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { loadEventsPackageDefinition } = require(join(root, 'dist/libs/events-proto/src/index.js'));
  const { EventService } = grpc.loadPackageDefinition(loadEventsPackageDefinition()).events.v1;
  const server = new grpc.Server();
  let offset = 0;
  server.addService(EventService.service, {
    PublishStream(call) {
      call.on('data', () => {
        offset += 1;
        call.write({ status: 'RESULT_STATUS_ACCEPTED', partition: 0, offset, token: `0:${offset}` });
      });
      call.on('end', () => call.end());
    },
  });
  await new Promise((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  process.on('SIGTERM', () => server.forceShutdown());
}

const adapter = new FastifyAdapter({ bodyLimit: 4 * 1024 * 1024, http: { insecureHTTPParser: false } });
const app = await NestFactory.create(EchoModule, adapter, { logger: ['error'] });
await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
