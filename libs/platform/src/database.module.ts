import { type SharedSettings, dataSourceOptions, runMigrations } from '@async2/data-access';
import { Inject, Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SHARED_SETTINGS } from './shared-settings.token';

/** Applies pending TypeORM migrations at boot (never `synchronize`), one instance at a time. */
@Injectable()
export class MigrationsOnBoot implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const applied = await runMigrations(this.dataSource);
    this.logger.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema is up to date');
  }
}

/** PostgreSQL through TypeORM for both apps: the DataSource, and the schema migrated on boot. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [SHARED_SETTINGS],
      useFactory: (settings: SharedSettings) => ({ ...dataSourceOptions(settings.database), retryAttempts: 5, retryDelay: 1000 }),
    }),
  ],
  providers: [MigrationsOnBoot],
})
export class DatabaseModule {}
