import { v5 as uuidv5 } from 'uuid';

const TASK_NAMESPACE = '5d6e7f80-91a2-4b3c-8d4e-5f6071829a3b';
/** The task of an assignment (one per contract): derived, so a retried step creates the same task. */
export const taskIdFor = (contractId: string) => uuidv5(`task:${contractId}`, TASK_NAMESPACE);
