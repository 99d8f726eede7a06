/** amazon-ecs-deploy-task-definition v2's main step (see deploy.ts). */
import { runStep } from '../../shared/action-entry.js';
import { deploy } from './deploy.js';

runStep(() => deploy({ verifiesDeployment: true }));
