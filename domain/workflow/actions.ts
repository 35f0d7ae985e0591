import type { WorkflowCommand } from './commands.ts';

export const workflowActions: Readonly<Record<WorkflowCommand['type'], string>> = { PublishWorkflow: 'workflow.publish', RetireWorkflow: 'workflow.retire' };
