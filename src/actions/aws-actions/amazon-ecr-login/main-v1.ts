/** amazon-ecr-login v1's main step: v2's, but the password is masked only with `mask-password: true`. */
import { runStep } from '../../shared/action-entry.js';
import { login, V1 } from './login.js';

runStep(() => login(V1));
