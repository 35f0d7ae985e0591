/**
 * The quota of open jobs per org, until the quota aggregate (`domain/quota`) exists: an org sets it in its metadata
 * under `quota.maxOpenJobs`, as a non-negative integer string (e.g. `"25"`; `"0"` accepts no job); absent or
 * malformed, the default applies. A job is open until it is verified, rejected, failed or cancelled.
 */
export const MAX_OPEN_JOBS_METADATA_KEY = 'quota.maxOpenJobs';
export const DEFAULT_MAX_OPEN_JOBS = 100;

export function maxOpenJobsOf(metadata: Readonly<Record<string, string>>): number {
  const configured = Object.hasOwn(metadata, MAX_OPEN_JOBS_METADATA_KEY) ? metadata[MAX_OPEN_JOBS_METADATA_KEY] : undefined;
  return configured !== undefined && /^\d{1,9}$/.test(configured) ? Number(configured) : DEFAULT_MAX_OPEN_JOBS;
}
