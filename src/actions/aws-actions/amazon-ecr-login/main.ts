/** amazon-ecr-login v2's main step (see login.ts). */
import { runStep } from '../../shared/action-entry.js';
import { login, V2 } from './login.js';

runStep(() => login(V2));
