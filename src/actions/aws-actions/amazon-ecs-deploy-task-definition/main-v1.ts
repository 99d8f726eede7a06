/** amazon-ecs-deploy-task-definition v1's main step: v2's without the rollback check after stabilising. */
import { runStep } from '../../shared/action-entry.js';
import { deploy } from './deploy.js';

runStep(() => deploy({ verifiesDeployment: false }));
