import type { ToolCallEvent } from './events.ts';
import type { ToolCallState } from './state.ts';

export function evolveToolCall(state: ToolCallState, event: ToolCallEvent): ToolCallState {
  switch (event.type) {
    case 'ToolCallRequested': {
      const { callId, orgId, toolId, toolName, version, input, inputHash, taskId, contractId, timeoutMs, requestedBy, requestedAt } = event.data;
      return {
        callId,
        orgId,
        toolId,
        toolName,
        version,
        input,
        inputHash,
        taskId,
        contractId,
        timeoutMs,
        requestedBy,
        requestedAt,
        status: 'requested',
        run: null,
        outcome: null,
      };
    }
    case 'ToolCallStarted': {
      if (state === null) return state;
      const { runnerId, leaseUntil, startedAt } = event.data;
      return { ...state, status: 'started', run: { runnerId, leaseUntil, startedAt } };
    }
    case 'ToolCallSucceeded': {
      if (state === null) return state;
      const { output, outputHash, outputChars, durationMs, completedAt } = event.data;
      return { ...state, status: 'succeeded', outcome: { kind: 'succeeded', output, outputHash, outputChars, durationMs, at: completedAt } };
    }
    case 'ToolCallFailed': {
      if (state === null) return state;
      const { code, message, durationMs, failedAt } = event.data;
      return { ...state, status: 'failed', outcome: { kind: 'failed', code, message, durationMs, at: failedAt } };
    }
  }
}
