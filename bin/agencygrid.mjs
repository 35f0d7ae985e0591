#!/usr/bin/env node
// Entry point for `npx agencygrid`: loads tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
await import('./agencygrid.ts');
