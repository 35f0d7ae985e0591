/** How the client commands (apply, audit, projections) reach the API: from the environment, never from flags. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ApiConnection {
  baseUrl: string;
  apiKey: string;
}

/** The two variables, for a command's --help. */
export const apiEnvironment = (keyMeaning: string) =>
  [
    ['AGENCYGRID_API_KEY', keyMeaning],
    ['AGENCYGRID_URL', `the API's base URL (default ${DEFAULT_URL})`],
  ] as const;

/** The connection, or the one line that says which variable to fix. */
export function apiConnection(env: NodeJS.ProcessEnv = process.env): ApiConnection | { problem: string } {
  const apiKey = env.AGENCYGRID_API_KEY?.trim() ?? '';
  if (apiKey === '')
    return { problem: 'AGENCYGRID_API_KEY is not set; export the API key to act with (the first `agencygrid serve` prints a bootstrap admin key once)' };
  const baseUrl = (env.AGENCYGRID_URL?.trim() || DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) return { problem: `AGENCYGRID_URL must be an http(s) URL, got '${baseUrl}'` };
  return { baseUrl, apiKey };
}
