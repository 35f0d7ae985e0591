import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCommand } from '../../bench/command.ts';
import { buildProgram } from '../../bin/program.ts';
import { commandPath, commandTree, runCli } from '../../bin/cli/run.ts';
import { capturedOutput } from '../support/captured-output.ts';

/**
 * Every command of `agencygrid` and of `npm run bench`, found by walking the tree, run in process: --help answers
 * without running anything, an unknown flag is a usage error in one line. New commands are covered by being added.
 */
interface Root {
  name: string;
  build: () => CommandUnknownOpts;
  invocation?: string;
}
const roots: Root[] = [
  { name: 'agencygrid', build: buildProgram },
  { name: 'bench', build: benchCommand, invocation: 'npm run bench --' },
];

/** The argv that reaches each command of a fresh tree, e.g. ['audit', 'state']. */
function commandArgvs(build: () => CommandUnknownOpts): string[][] {
  return commandTree(build()).map((command) => {
    const names: string[] = [];
    for (let current: CommandUnknownOpts | null = command; current?.parent; current = current.parent) names.unshift(current.name());
    return names;
  });
}

async function run(root: Root, argv: string[]) {
  const program = root.build();
  const actions: string[] = [];
  // Fires before any action of the tree: --help and usage errors must never get that far.
  program.hook('preAction', (_self, actionCommand) => void actions.push(commandPath(actionCommand)));
  const output = capturedOutput();
  const code = await runCli(program, argv, { output, ...(root.invocation ? { invocation: root.invocation } : {}) });
  return { code, out: output.stdout(), err: output.stderr(), actions };
}

/** Leaf commands that read no environment variable: key generation and the offline policy tools. */
const readsNoEnvironment = new Set(['bus-setup', 'policy test', 'policy eval']);
describe('the command tree', () => {
  const saved = { DATA_DIR: process.env.DATA_DIR, PORT: process.env.PORT };
  let sandbox: string;
  let dataDir: string;
  beforeAll(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'ag-cli-tree-'));
    dataDir = join(sandbox, 'data');
    process.env.DATA_DIR = dataDir;
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('has the commands users know, each reachable by its path', () => {
    const paths = commandArgvs(buildProgram).map((argv) => argv.join(' '));
    expect(paths).toEqual(
      expect.arrayContaining([
        'serve',
        'apply',
        'audit',
        'audit state',
        'audit decisions',
        'audit reevaluate',
        'audit what-if',
        'projections',
        'projections rebuild',
        'projections park',
        'bus-setup',
        'admin-key',
      ]),
    );
  });

  for (const root of roots) {
    it(`${root.name}: --help on every command prints its usage on stdout, exits 0 and runs nothing`, async () => {
      const argvs = commandArgvs(root.build);
      expect(argvs.length).toBeGreaterThan(root.name === 'bench' ? 0 : 10);
      for (const argv of argvs) {
        const result = await run(root, [...argv, '--help']);
        const label = [root.name, ...argv].join(' ');
        expect(result.code, label).toBe(0);
        expect(result.err, label).toBe('');
        expect(result.actions, label).toEqual([]);
        expect(result.out, label).toContain(`Usage: ${[root.name, ...argv].join(' ')} `);
        // Settings come from the environment: a leaf command that reads any names them (offline tools read none).
        if (argv.length > 0 && !result.out.includes('Commands:') && !readsNoEnvironment.has(argv.join(' ')))
          expect(result.out, label).toMatch(/\nenvironment:\n {2}[A-Z_]+ /);
      }
      expect(existsSync(dataDir)).toBe(false);
      expect(readdirSync(sandbox)).toEqual([]);
    });

    it(`${root.name}: an unknown flag on every command is exit 2 with one line naming it and pointing to --help`, async () => {
      for (const argv of commandArgvs(root.build)) {
        const result = await run(root, [...argv, '--no-such-flag']);
        const label = [root.name, ...argv].join(' ');
        expect(result.code, label).toBe(2);
        expect(result.out, label).toBe('');
        expect(result.actions, label).toEqual([]);
        const lines = result.err.trimEnd().split('\n');
        expect(lines, label).toHaveLength(1);
        expect(lines[0], label).toContain("unknown option '--no-such-flag'");
        expect(lines[0], label).toMatch(/; see '.+ --help'$/);
      }
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  it('an unknown command, a missing argument or a bad bench group is exit 2 in one line', async () => {
    const [agencygrid, bench] = roots as [Root, Root];
    // apply checks -f in its action (so that an unknown flag is named first): the only case that reaches an action.
    const cases: Array<[Root, string[], string]> = [
      [agencygrid, ['nope'], "agencygrid: unknown command 'nope'; see 'agencygrid --help'"],
      [agencygrid, ['serv'], "agencygrid: unknown command 'serv' (did you mean serve?); see 'agencygrid --help'"],
      [agencygrid, ['audit', 'stat', 'lab'], "agencygrid audit: unknown command 'stat' (did you mean state?)"],
      [agencygrid, ['projections', 'rebuild'], "agencygrid projections rebuild: missing required argument 'name'"],
      [agencygrid, ['projections', 'park', 'orgs', '12'], "agencygrid projections park: missing required argument 'reason'"],
      [agencygrid, ['bus-setup'], "agencygrid bus-setup: missing required argument 'dir'"],
      [agencygrid, ['apply'], "agencygrid apply: required option '-f, --file <path>' not specified"],
      [agencygrid, ['apply', '--flie', 'x.yaml'], "agencygrid apply: unknown option '--flie' (did you mean --file?)"],
      [agencygrid, ['serve', 'now'], "agencygrid serve: too many arguments for 'serve'"],
      [bench, ['disc'], "bench: command-argument value 'disc' is invalid for argument 'group'"],
    ];
    for (const [root, argv, message] of cases) {
      const result = await run(root, argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.actions, argv.join(' ')).toEqual(argv.join(' ') === 'apply' ? ['agencygrid apply'] : []);
      expect(result.out, argv.join(' ')).toBe('');
      expect(result.err.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(result.err, argv.join(' ')).toContain(message);
    }
  });

  it('with no command, agencygrid lists the commands on stderr and exits 2', async () => {
    const result = await run(roots[0] as Root, []);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain('Commands:');
    expect(result.err).toMatch(/serve .*\n[\s\S]*apply /);
  });
});
