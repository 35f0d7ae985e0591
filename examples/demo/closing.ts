/** What the demo ran, for the lines it ends with. */
export interface DemoRun {
  baseUrl: string;
  adminKey: string;
  dataDir: string;
  orgId: string;
  jobs: readonly string[];
}

/**
 * The demo's last words. Without --keep the platform and its data are gone once it returns, so it must not send
 * anyone to them; with --keep they stay until Ctrl-C, and the lines say how to read them (pasteable).
 */
export function closingLines(run: DemoRun, kept: boolean): string[] {
  if (!kept) {
    return [
      `Done. The platform has stopped and its data (${run.dataDir}) is removed.`,
      'To look around afterwards, run `npm run demo -- --keep`: the platform stays up until Ctrl-C, with the commands to read the trail.',
    ];
  }
  const [job1 = '', job2 = ''] = run.jobs;
  return [
    `Done. The platform stays up for inspection at ${run.baseUrl} (data in ${run.dataDir}); Ctrl-C stops it and removes its data.`,
    'In another terminal:',
    `  export AG=${run.baseUrl} AGENCYGRID_URL=${run.baseUrl} AGENCYGRID_API_KEY=${run.adminKey}`,
    `  curl -s $AG/orgs/${run.orgId}/jobs/${job1} -H "Authorization: Bearer $AGENCYGRID_API_KEY"         # job 1, verified`,
    `  curl -s $AG/orgs/${run.orgId}/jobs/${job2}/assignment -H "Authorization: Bearer $AGENCYGRID_API_KEY"   # job 2's assignment`,
    `  curl -s "$AG/orgs/${run.orgId}/decisions?limit=20" -H "Authorization: Bearer $AGENCYGRID_API_KEY"   # the latest decisions`,
    `  npx agencygrid audit reevaluate ${run.orgId}                                    # every decision evaluated again`,
    `  GraphiQL: ${run.baseUrl}/graphiql (header {"Authorization": "Bearer <the key above>"})`,
  ];
}
