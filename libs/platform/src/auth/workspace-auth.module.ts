import { DynamicModule, Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AUTH_OPTIONS, WorkspaceAuthGuard, type AuthOptions } from './workspace-auth.guard';

@Global()
@Module({})
export class WorkspaceAuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: WorkspaceAuthModule,
      imports: [JwtModule.register({})],
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, WorkspaceAuthGuard],
      exports: [WorkspaceAuthGuard, AUTH_OPTIONS, JwtModule],
    };
  }
}
