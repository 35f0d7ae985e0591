import { describe, expect, it } from 'vitest';
import { isCommandAllowed } from '../../domain/tool/allowed-commands.ts';
import { orgId, toolRegistered, toolSpec, toolSpecOf as spec } from '../support/tool-fixtures.ts';

const allowed = ['/opt/tools/', '/usr/local/bin/summarise'];

describe('the programs tools may start are the operator’s list, none by default', () => {
  it.each([
    ['/opt/tools/ocr', true],
    ['/opt/tools/nested/ocr', true],
    ['/usr/local/bin/summarise', true],
    ['/usr/local/bin/summarise2', false],
    ['/opt/toolsx/ocr', false],
    ['/opt/tools/', false],
    ['/opt/tools/../../bin/sh', false],
    ['/opt/tools/./ocr', false],
    ['/opt/tools//ocr', false],
    ['opt/tools/ocr', false],
    ['sh', false],
    ['/bin/sh', false],
  ])('%s: %s', (command, expected) => {
    expect(isCommandAllowed(command, allowed)).toBe(expected);
  });

  it('allows nothing with an empty list', () => {
    expect(isCommandAllowed('/opt/tools/ocr', [])).toBe(false);
  });

  const executable = (command: string) => ({ kind: 'executable', command, args: [], env: {}, memoryMb: 256, cpuSeconds: 30 }) as const;
  const stdioMcp = (command: string) => ({ kind: 'mcp', server: { transport: 'stdio', command, args: [] }, remoteName: 'ocr' }) as const;
  const register = (endpoint: object) => ({ type: 'RegisterTool' as const, data: { orgId, spec: toolSpec({ endpoint }) } });

  it('refuses to register an executable or a stdio MCP server the operator has not listed, naming only the caller’s own program', () => {
    spec
      .given([])
      .when(register(executable('/bin/sh')), { allowedCommands: allowed })
      .thenError('TOOL_COMMAND_NOT_ALLOWED', { command: '/bin/sh', field: 'spec.endpoint.command' });
    spec
      .given([])
      .when(register(stdioMcp('/usr/bin/python3')), { allowedCommands: allowed })
      .thenError('TOOL_COMMAND_NOT_ALLOWED', { command: '/usr/bin/python3', field: 'spec.endpoint.server.command' });
    spec
      .given([])
      .when(register(executable('/opt/tools/ocr')))
      .thenError('TOOL_COMMAND_NOT_ALLOWED');
  });

  it('registers a listed program, and refuses an update that moves the tool to an unlisted one', () => {
    spec
      .given([])
      .when(register(executable('/opt/tools/ocr')), { allowedCommands: allowed })
      .thenEvents([toolRegistered(toolSpec({ endpoint: executable('/opt/tools/ocr') }))]);
    spec
      .given([toolRegistered(toolSpec({ endpoint: executable('/opt/tools/ocr') }))])
      .when({ type: 'UpdateTool', data: { orgId, name: toolSpec().name, spec: toolSpec({ endpoint: executable('/bin/bash') }) } }, { allowedCommands: allowed })
      .thenError('TOOL_COMMAND_NOT_ALLOWED', { command: '/bin/bash' });
  });
});
