import { describe, expect, it } from 'vitest';
import { expectRegisteredAtVersion1 } from '../support/event-definitions.ts';
import { required } from '../../domain/shared/required.ts';
import { contractCommandSchema } from '../../domain/contract/commands.ts';
import { contractEventDefinitions } from '../../domain/contract/events.ts';
import {
  activated,
  breached,
  commandsOnAContract,
  contractDrafted,
  contractRejected,
  fulfilled,
  reviewed,
  signed,
  obligationExtended,
  system,
  terminated,
} from '../support/contract-fixtures.ts';

const contractId = 'dddddddd-0000-4000-8000-000000000004';
const orgId = '11111111-1111-4111-8111-111111111111';
const jobId = '55555555-5555-4555-8555-555555555555';
const assigneeSubjectId = 'aaaaaaaa-0000-4000-8000-000000000001';
const verifierId = 'bbbbbbbb-0000-4000-8000-000000000002';
const base = { contractId, orgId, jobId, assigneeSubjectId, permittedActions: ['task.*'] };
const ref = { contractId, orgId };
const obligation = { obligationId: 'final', description: 'deliver', dueAt: '2027-01-01T00:00:00Z' };

describe('well-formed contract commands', () => {
  it('applies the defaults of a minimal draft', () => {
    const parsed = contractCommandSchema.parse({ type: 'DraftContract', data: base });
    expect(parsed.data).toEqual({
      ...base,
      verifierSubjectIds: [],
      permittedTools: [],
      deliverables: [],
      obligations: [],
      escalateTo: null,
      reviewRequired: false,
    });
  });

  it('keeps ids in lower case and due instants in UTC, so one value has one spelling', () => {
    const parsed = contractCommandSchema.parse({
      type: 'DraftContract',
      data: { ...base, contractId: contractId.toUpperCase(), obligations: [{ ...obligation, dueAt: '2027-01-01T02:00:00+02:00' }] },
    });
    expect(parsed.data).toMatchObject({ contractId, obligations: [{ obligationId: 'final', dueAt: '2027-01-01T00:00:00.000Z' }] });
    const extended = contractCommandSchema.parse({ type: 'ExtendObligation', data: { ...ref, obligationId: 'final', dueAt: '2027-02-01T01:00:00+01:00' } });
    expect(extended.data).toMatchObject({ dueAt: '2027-02-01T00:00:00.000Z' });
  });

  it.each(Object.values(commandsOnAContract))('accepts the fixture $type unchanged', (command) => {
    expect(contractCommandSchema.parse(command)).toEqual(command);
  });

  it('accepts a disapproval with a note', () => {
    expect(contractCommandSchema.safeParse({ type: 'ReviewContract', data: { ...ref, approve: false, note: 'too wide' } }).success).toBe(true);
  });
});

const malformed: Array<[string, unknown, PropertyKey[]]> = [
  ['a draft without permitted actions', { type: 'DraftContract', data: { ...base, permittedActions: [] } }, ['data', 'permittedActions']],
  ['a draft with an action pattern in capitals', { type: 'DraftContract', data: { ...base, permittedActions: ['Task.*'] } }, ['data', 'permittedActions', 0]],
  ['a draft with a partial wildcard', { type: 'DraftContract', data: { ...base, permittedActions: ['ta*'] } }, ['data', 'permittedActions', 0]],
  ['a draft with a trailing dot', { type: 'DraftContract', data: { ...base, permittedActions: ['task.'] } }, ['data', 'permittedActions', 0]],
  ['a draft with a tool name with a space', { type: 'DraftContract', data: { ...base, permittedTools: ['web search'] } }, ['data', 'permittedTools', 0]],
  ['a draft with a duplicated tool', { type: 'DraftContract', data: { ...base, permittedTools: ['shell', 'shell'] } }, ['data', 'permittedTools']],
  [
    'a draft whose assignee verifies',
    { type: 'DraftContract', data: { ...base, verifierSubjectIds: [verifierId, assigneeSubjectId] } },
    ['data', 'verifierSubjectIds'],
  ],
  [
    'a draft with a duplicated verifier',
    { type: 'DraftContract', data: { ...base, verifierSubjectIds: [verifierId, verifierId] } },
    ['data', 'verifierSubjectIds'],
  ],
  ['a draft with an assignee that is a name', { type: 'DraftContract', data: { ...base, assigneeSubjectId: 'bob' } }, ['data', 'assigneeSubjectId']],
  ['a draft without a job', { type: 'DraftContract', data: { contractId, orgId, assigneeSubjectId, permittedActions: ['task.*'] } }, ['data', 'jobId']],
  ['a draft with two obligations of one id', { type: 'DraftContract', data: { ...base, obligations: [obligation, obligation] } }, ['data', 'obligations']],
  [
    'a draft with an obligation id that is not a slug',
    { type: 'DraftContract', data: { ...base, obligations: [{ ...obligation, obligationId: 'Final Report' }] } },
    ['data', 'obligations', 0, 'obligationId'],
  ],
  [
    'a draft with a due date without a zone',
    { type: 'DraftContract', data: { ...base, obligations: [{ ...obligation, dueAt: '2027-01-01T00:00:00' }] } },
    ['data', 'obligations', 0, 'dueAt'],
  ],
  ['a draft with a blank deliverable', { type: 'DraftContract', data: { ...base, deliverables: ['  '] } }, ['data', 'deliverables', 0]],
  ['a draft escalating to something not a role name', { type: 'DraftContract', data: { ...base, escalateTo: 'The Board' } }, ['data', 'escalateTo']],
  ['a draft naming who drafted it', { type: 'DraftContract', data: { ...base, draftedBy: 'me' } }, ['data']],
  [
    'a draft with too many tools',
    { type: 'DraftContract', data: { ...base, permittedTools: Array.from({ length: 51 }, (_, n) => `tool-${n}`) } },
    ['data', 'permittedTools'],
  ],
  ['a disapproval without a note', { type: 'ReviewContract', data: { ...ref, approve: false } }, ['data', 'note']],
  ['a review without a verdict', { type: 'ReviewContract', data: { ...ref, note: 'ok' } }, ['data', 'approve']],
  ['a signature for a third party', { type: 'SignContract', data: { ...ref, party: 'verifier' } }, ['data', 'party']],
  ['a signature naming its signer', { type: 'SignContract', data: { ...ref, party: 'org', signedBy: assigneeSubjectId } }, ['data']],
  ['a signature without the org', { type: 'SignContract', data: { contractId, party: 'org' } }, ['data', 'orgId']],
  ['a rejection with a blank reason', { type: 'RejectContract', data: { ...ref, party: 'assignee', reason: ' ' } }, ['data', 'reason']],
  ['a breach of an unknown kind', { type: 'RecordBreach', data: { ...ref, breachId: 'b', kind: 'late', clause: 'c', details: 'd' } }, ['data', 'kind']],
  [
    'a breach id with spaces',
    { type: 'RecordBreach', data: { ...ref, breachId: 'b 1', kind: 'deadline_missed', clause: 'c', details: 'd' } },
    ['data', 'breachId'],
  ],
  ['an extension without a date', { type: 'ExtendObligation', data: { ...ref, obligationId: 'final' } }, ['data', 'dueAt']],
  ['a termination without a reason', { type: 'TerminateContract', data: ref }, ['data', 'reason']],
  ['a fulfilment of a contract id that is not a UUID', { type: 'FulfilContract', data: { contractId: 'c-1', orgId } }, ['data', 'contractId']],
  ['an unknown command type', { type: 'DeleteContract', data: ref }, ['type']],
];

describe('malformed contract commands', () => {
  it.each(malformed)('refuses %s', (_name, command, path) => {
    const result = contractCommandSchema.safeParse(command);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(path);
  });
});

describe('contract events', () => {
  it('are all registered in the catalog, at schema version 1', () => {
    expectRegisteredAtVersion1(contractEventDefinitions, [
      'ContractDrafted',
      'ContractReviewed',
      'ContractSigned',
      'ContractActivated',
      'ContractRejected',
      'ContractBreached',
      'ObligationExtended',
      'ContractFulfilled',
      'ContractTerminated',
    ]);
  });

  it('the fixtures’ events match their schemas, and a malformed one does not', () => {
    const events = [
      contractDrafted(),
      reviewed(false, 'no'),
      signed('org'),
      activated,
      contractRejected('org', 'no', system),
      breached('b-1'),
      fulfilled,
      terminated('active'),
    ];
    events.push(obligationExtended('2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'));
    expect(new Set(events.map((event) => event.type)).size).toBe(contractEventDefinitions.length);
    for (const event of events) {
      const definition = contractEventDefinitions.find((candidate) => candidate.type === event.type);
      expect(definition?.schema.safeParse(event.data).success, event.type).toBe(true);
    }
    const drafted = required(
      contractEventDefinitions.find((definition) => definition.type === 'ContractDrafted'),
      'a contract event',
    ).schema;
    expect(drafted.safeParse({ ...contractDrafted().data, draftedAt: 'yesterday' }).success).toBe(false);
  });
});
