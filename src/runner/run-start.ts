/**
 * What starting a run needs beyond its records: reading workflow files (GitHub's schema and
 * parser, bounded, in worker threads), expressions and the executor — most of the cloud's code
 * by load time. The Runner imports this module on the first push or dispatch (runner.ts,
 * loadRunStart), so `dockyard up` does not pay for it and a cloud that never runs a workflow
 * never loads it.
 */
export { CalledWorkflows } from './called-workflows.js';
export { evaluateString, matchesWorkflowRun } from '../workflow/index.js';
export { RunExecution } from './run-executor.js';
export { invalidWorkflowReport, readPushedWorkflowAt, readWorkflowAt } from './workflow-files.js';
