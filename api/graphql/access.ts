import { appError, isAppError, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { BuiltPolicyRequest } from '../../commands/governance/policy-request.ts';
import type { StreamReader } from '../../commands/stream-loader.ts';
import { authorizeRead, orgRead, orgReads, subjectRead, type OrgReadAction } from '../read-access.ts';
import { gqlError } from './errors.ts';

/**
 * What the request's principal may read, decided by the policy engine (authorizeRead: platform policy plus the org's
 * published or default policy, deny by default) and remembered for the rest of the request, per org and action: a
 * list of 100 associations across 3 orgs costs 3 decisions. In-flight decisions are shared, so fields resolved in
 * parallel never decide the same thing twice.
 */
export class RequestAccess {
  private readonly decisions = new Map<string, Promise<BuiltPolicyRequest | AppError>>();

  constructor(
    private readonly reader: StreamReader,
    readonly principal: (Principal & { keyId?: string }) | null,
    private readonly now: string,
  ) {}

  /** The decision for `action` on `orgId` (an AppError such as POLICY_DENIED when refused). */
  org(orgId: string, action: OrgReadAction): Promise<BuiltPolicyRequest | AppError> {
    return this.remember(`${action}\u0000${orgId}`, () =>
      authorizeRead(this.reader, this.principalFacts(), orgRead(action, orgId, { type: orgReads[action].query, data: {} }, { now: this.now })),
    );
  }

  /** Throws the refusal as a GraphQL error (POLICY_DENIED, UNAUTHENTICATED). */
  async requireOrg(orgId: string, action: OrgReadAction): Promise<BuiltPolicyRequest> {
    const decided = await this.org(orgId, action);
    if (isAppError(decided)) throw gqlError(decided);
    return decided;
  }

  async canOrg(orgId: string, action: OrgReadAction): Promise<boolean> {
    return !isAppError(await this.org(orgId, action));
  }

  /** Effective roles are read as REST reads them: `roster.read` with the job space as the resource's. */
  effectiveRoles(orgId: string, subjectId: string, jobSpace: string | null): Promise<BuiltPolicyRequest | AppError> {
    return this.remember(`effective-roles\u0000${orgId}\u0000${subjectId}\u0000${jobSpace ?? ''}`, () =>
      authorizeRead(
        this.reader,
        this.principalFacts(),
        orgRead('roster.read', orgId, { type: 'ReadEffectiveRoles', data: { subjectId, jobSpace } }, { jobSpace, now: this.now }),
      ),
    );
  }

  /** One job is read as REST reads it: `job.read` with the job id in the query (`ReadJob`). */
  job(orgId: string, jobId: string): Promise<BuiltPolicyRequest | AppError> {
    return this.remember(`job\u0000${orgId}\u0000${jobId}`, () =>
      authorizeRead(this.reader, this.principalFacts(), orgRead('job.read', orgId, { type: 'ReadJob', data: { jobId } }, { now: this.now })),
    );
  }

  /**
   * A named read of an org's family, as the REST route of the same data decides it (e.g. `job.read` with
   * `ReadContract {orgId, contractId}`), so a policy condition on `command.type` / `command.data` means the same
   * thing here. Remembered per (action, org, query).
   */
  named(orgId: string, action: OrgReadAction, query: { type: string; data: Record<string, unknown> }): Promise<BuiltPolicyRequest | AppError> {
    return this.remember(`named\u0000${action}\u0000${orgId}\u0000${query.type}\u0000${JSON.stringify(query.data)}`, () =>
      authorizeRead(this.reader, this.principalFacts(), orgRead(action, orgId, query, { now: this.now })),
    );
  }

  /** `subject.read` of one subject: platform level (platform policy only). */
  subject(subjectId: string): Promise<BuiltPolicyRequest | AppError> {
    return this.remember(`subject.read\u0000${subjectId}`, () => authorizeRead(this.reader, this.principalFacts(), subjectRead(subjectId, { now: this.now })));
  }

  async canSubject(subjectId: string): Promise<boolean> {
    return !isAppError(await this.subject(subjectId));
  }

  /** Platform principals (admins, the platform's processes) may be let through every org; subjects are scoped. */
  get isPlatformPrincipal(): boolean {
    return this.principal !== null && this.principal.kind !== 'subject';
  }

  requirePrincipal(): Principal {
    const principal = this.principalOrError();
    if (isAppError(principal)) throw gqlError(principal);
    return principal;
  }

  principalOrError(): Principal | AppError {
    return this.principalFacts() ?? appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required');
  }

  private principalFacts(): Principal | null {
    return this.principal ? { id: this.principal.id, kind: this.principal.kind } : null;
  }

  private remember(key: string, decide: () => Promise<BuiltPolicyRequest | AppError>): Promise<BuiltPolicyRequest | AppError> {
    let decided = this.decisions.get(key);
    if (!decided) {
      decided = decide();
      this.decisions.set(key, decided);
      // A failure (an unavailable store) is not remembered: the next field asks again.
      decided.catch(() => this.decisions.delete(key));
    }
    return decided;
  }
}
