import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  jwtSecret: string;
}

interface WorkspaceClaims {
  workspace_id?: unknown;
}

/**
 * Bearer JWT (HS256) whose `workspace_id` claim grants that one workspace. A request for another
 * workspace answers 404, exactly as for a resource that does not exist, so ids cannot be probed.
 */
@Injectable()
export class WorkspaceAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException('missing or malformed Authorization: Bearer <token> header');
    }
    let claims: WorkspaceClaims;
    try {
      claims = await this.jwt.verifyAsync<WorkspaceClaims & object>(match[1], {
        secret: this.options.jwtSecret,
        algorithms: ['HS256'],
      });
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    if (typeof claims.workspace_id !== 'string' || claims.workspace_id.length === 0) {
      throw new UnauthorizedException('token carries no workspace_id claim');
    }
    const requested = request.params.workspaceId;
    if (requested !== undefined && requested !== claims.workspace_id) {
      throw new NotFoundException('not found');
    }
    return true;
  }
}
