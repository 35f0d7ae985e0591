import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/api-server.ts';
import { gql, graphqlServer, readModelsCaughtUp } from './graphql.client.ts';

interface CapabilityAnswer {
  subject: {
    capabilities: Array<{
      name: string;
      level: number;
      evidence: string | null;
      verified: { by: string; orgId: string } | null;
      verifiedIn: Array<{ by: string; orgId: string }>;
    }>;
  };
}

describe('GraphQL subject capabilities', () => {
  const { server, api } = useTestServer(graphqlServer());
  let owner: { id: string; key: string };
  let writer: { id: string; key: string };
  let orgId: string;

  beforeAll(async () => {
    owner = await api.subjectWithKey('Lab owner');
    orgId = await api.registerOrg('capability-lab', owner.key);
    writer = await api.subjectWithKey('Writer', {
      capabilities: [
        { name: 'nlp.summarize', level: 4 },
        { name: 'lang.en', level: 2 },
      ],
    });
    await api.expectStatus(await api.post(`/subjects/${writer.id}/capabilities/nlp.summarize/verify`, { level: 4, orgId }, owner.key), 200);
    await readModelsCaughtUp(server);
  });

  it('answers each capability with its latest verification and every org that verified it', async () => {
    const answer = await gql<CapabilityAnswer>(
      server,
      `query($id: ID!) { subject(id: $id) { capabilities { name level evidence verified { by orgId } verifiedIn { by orgId } } } }`,
      { id: writer.id },
    );
    expect(answer.errors).toEqual([]);
    const byName = new Map(answer.data?.subject.capabilities.map((capability) => [capability.name, capability]));
    expect(byName.get('nlp.summarize')).toEqual({
      name: 'nlp.summarize',
      level: 4,
      evidence: null,
      verified: { by: owner.id, orgId },
      verifiedIn: [{ by: owner.id, orgId }],
    });
    expect(byName.get('lang.en')).toEqual({ name: 'lang.en', level: 2, evidence: null, verified: null, verifiedIn: [] });
  });
});
