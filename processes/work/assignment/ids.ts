import { v5 as uuidv5 } from 'uuid';

const CONTRACT_NAMESPACE = '8f0c6f0e-2b7a-4a51-9d3e-6a1f4c2b7e90';
/** The contract of a job's round: derived, so a retried award drafts the same contract. */
export const contractIdFor = (jobId: string, round: number) => uuidv5(`contract:${jobId}:${round}`, CONTRACT_NAMESPACE);
