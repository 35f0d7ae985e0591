import { Environment } from '@marcbachmann/cel-js';

/**
 * The `criteria` strategy's score: a CEL expression (the same safe, side-effect-free language as policy conditions)
 * over two maps, returning a number; the highest score wins.
 * - `candidate`: {subjectId: string, roles: list<string>, capabilities: map<string, int> (declared levels),
 *   capabilityLevel: int (the sum of its levels in the job's required capabilities), openAssignments: int}
 * - `job`: {priority: string, requiredCapabilities: list<string>, requiredRoles: list<string>}
 */
export const DEFAULT_SCORE_EXPRESSION = 'candidate.capabilityLevel * 10 - candidate.openAssignments';
export const MAX_SCORE_EXPRESSION_LENGTH = 1_000;

const environment = new Environment({
  unlistedVariablesAreDyn: false,
  enableOptionalTypes: false,
  limits: { maxAstNodes: 200, maxDepth: 16, maxListElements: 50, maxMapEntries: 50, maxCallArguments: 4 },
})
  .registerVariable('candidate', 'map<string, dyn>')
  .registerVariable('job', 'map<string, dyn>');

export interface ScoreCandidate {
  subjectId: string;
  roles: readonly string[];
  capabilities: Readonly<Record<string, number>>;
  capabilityLevel: number;
  openAssignments: number;
}

export interface ScoreJob {
  priority: string;
  requiredCapabilities: readonly string[];
  requiredRoles: readonly string[];
}

export type ScoreFunction = (candidate: ScoreCandidate, job: ScoreJob) => { ok: true; score: number } | { ok: false; message: string };
export type CompiledScore = { ok: true; score: ScoreFunction } | { ok: false; message: string };

const compiled = new Map<string, CompiledScore>();

/** Parses and type-checks once per expression (cached); never throws. */
export function compileScore(source: string): CompiledScore {
  const cached = compiled.get(source);
  if (cached) return cached;
  const result = compileUncached(source);
  if (compiled.size > 100) compiled.clear();
  compiled.set(source, result);
  return result;
}

function compileUncached(source: string): CompiledScore {
  if (source.length > MAX_SCORE_EXPRESSION_LENGTH)
    return { ok: false, message: `the score expression is longer than ${MAX_SCORE_EXPRESSION_LENGTH} characters` };
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment.parse(source);
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, message: checked.error?.message ?? 'the score expression does not type-check' };
    if (!['int', 'double', 'uint', 'dyn'].includes(checked.type ?? 'dyn'))
      return { ok: false, message: `the score expression is of type ${checked.type}; it must be a number` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const score: ScoreFunction = (candidate, job) => {
    let value: unknown;
    try {
      value = parsed({
        candidate: {
          subjectId: candidate.subjectId,
          roles: [...candidate.roles],
          capabilities: Object.fromEntries(Object.entries(candidate.capabilities).map(([name, level]) => [name, BigInt(level)])),
          capabilityLevel: BigInt(candidate.capabilityLevel),
          openAssignments: BigInt(candidate.openAssignments),
        },
        job: { priority: job.priority, requiredCapabilities: [...job.requiredCapabilities], requiredRoles: [...job.requiredRoles] },
      });
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const number = typeof value === 'bigint' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number))
      return { ok: false, message: `the score expression returned ${typeof value}, not a finite number` };
    return { ok: true, score: number };
  };
  return { ok: true, score };
}
