import { JwtService } from '@nestjs/jwt';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef';

const jwt = new JwtService();

/** A bearer token granting one workspace, as the AxioRank app would mint it. */
export function tokenFor(
  workspaceId: string,
  options: { secret?: string; expiresIn?: number } = {},
): string {
  return jwt.sign(
    { workspace_id: workspaceId },
    {
      secret: options.secret ?? TEST_JWT_SECRET,
      algorithm: 'HS256',
      expiresIn: options.expiresIn ?? 3600,
    },
  );
}

export const bearer = (workspaceId: string): { Authorization: string } => ({
  Authorization: `Bearer ${tokenFor(workspaceId)}`,
});
