/**
 * One example agent process: `node --import tsx examples/agents/agent.ts` with
 *   NATS_URL, AGENT_ID, AGENT_KEY      where to connect and who it is (its API key)
 *   AGENCYGRID_URL                     the platform's HTTP API: where the bus authenticates agents, the agent asks it
 *                                      for bus credentials for its key (without it, or where the platform answers
 *                                      BUS_CREDENTIALS_UNAVAILABLE, it connects anonymously and sends its key)
 *   AGENT_NAME                         for its log lines
 *   AGENT_SKILL                        summarise | title_case | verify | slow (takes its time: misses deadlines)
 *   AGENT_PRICE                        what it bids in an auction (default 10)
 * It bids on calls for proposals when it has the skill, signs the contracts it wins, does the work (using the tool
 * its contract permits), and verifies deliveries when it is a verifier. Every line it prints starts with its name.
 */
import { AgentClient, AgentRequestError, NatsBus, connectAgentBus } from '../../api/agent-client/index.ts';
import { summarise, titleCase, verifyAgainstTemplate } from './skills.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const name = env('AGENT_NAME', 'agent');
const skill = env('AGENT_SKILL', 'summarise');
const price = Number(env('AGENT_PRICE', '10'));
const log = (message: string) => console.log(`  [${name}] ${message}`);

const natsUrl = env('NATS_URL', 'nats://127.0.0.1:4222');
const baseUrl = process.env.AGENCYGRID_URL;
const connectAnonymously = () => NatsBus.connect(natsUrl, { name: `agencygrid-agent-${name}` });
const bus =
  baseUrl === undefined
    ? await connectAnonymously()
    : await connectAgentBus({
        natsUrl,
        baseUrl,
        apiKey: env('AGENT_KEY'),
        name: `agencygrid-agent-${name}`,
        onError: (error) => log(`credential renewal failed: ${String(error)}`),
      }).catch((error: unknown) => {
        if (error instanceof AgentRequestError && error.code === 'BUS_CREDENTIALS_UNAVAILABLE') return connectAnonymously();
        throw error;
      });
const client = new AgentClient(
  { bus, subjectId: env('AGENT_ID'), apiKey: env('AGENT_KEY') },
  {
    onCallForProposals(cfp) {
      const wanted = cfp.requiredCapabilities.map((capability) => capability.name);
      if (skill === 'verify' || (wanted.length > 0 && !wanted.includes(skill === 'slow' ? 'summarise' : skill))) return null;
      log(`bids ${price} on "${cfp.goal}" (round ${cfp.round})`);
      return { price, etaSeconds: 5, note: `${skill} at ${price}` };
    },
    onAward(award) {
      log(`won "${award.goal}" (${award.basis}); signs contract ${award.contract.contractId.slice(0, 8)}`);
      return { sign: true };
    },
    onProposalRejected(rejected) {
      log(`lost the bid for job ${rejected.jobId.slice(0, 8)}: ${rejected.reason}`);
    },
    async onTask(task, context) {
      const input = task.input as { goal: string; objectives: string[] };
      // The objectives are the material; a job without any gives its goal alone.
      const text = input.objectives.length > 0 ? input.objectives.join('. ') : input.goal;
      log(`works on task ${task.taskId.slice(0, 8)} (attempt ${task.attempt})`);
      if (skill === 'slow') {
        // Keeps working (heartbeats go on) until the platform cancels the task or long after any deadline.
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
        return summarise(text);
      }
      const tool = skill === 'title_case' ? 'text.transform' : 'text.summarise';
      try {
        await context.useTool('web.search', 'background reading');
      } catch (error) {
        if (error instanceof AgentRequestError) log(`tried web.search: refused ${error.code} (${String(error.details.clause)})`);
      }
      await context.useTool(tool, 'the work itself');
      await context.progress(60, 'drafted');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = skill === 'title_case' ? titleCase(text) : summarise(text);
      log(`delivers ${JSON.stringify(result)}`);
      return result;
    },
    onVerify(request) {
      const verdict = verifyAgainstTemplate(request.deliverable, request.outputTemplate);
      log(`verifies job ${request.jobId.slice(0, 8)}: ${verdict.accept ? 'accepted' : 'rejected'} (${verdict.note})`);
      return verdict;
    },
    onError(error, context) {
      log(`error in ${context.kind}: ${error instanceof Error ? error.message : String(error)}`);
    },
  },
);
await client.start();
log(`ready (${skill})`);

const stop = async () => {
  await client.stop();
  await bus.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
