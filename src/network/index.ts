/**
 * The task network: what makes an ECS task reachable the way an awsvpc task is on AWS, with
 * traffic kept on this machine's loopback (127.0.0.0/8).
 *
 * How the runtime uses it (one NetworkStore over the cloud's database, wired in one place):
 * 1. Task placement: `pool.allocate(taskArn)` gives the task its address; the runtime records it
 *    as the ENI's private IPv4 (and public IP with assignPublicIp ENABLED) via
 *    `ec2.createNetworkInterface`. After a restart, adopted tasks get the same address back
 *    (`allocate` is idempotent) and `pool.allocations()` names addresses of tasks that are gone.
 * 2. Container started: for each port mapping, `new TaskPortProxy({ address, port: containerPort,
 *    upstream: { port: hostPort }, allows: (ip, port) => ec2.ingressAllows(groupIds, { protocol:
 *    'tcp', port, sourceIp: ip }) }).start()`. After Authorize/RevokeSecurityGroupIngress, the
 *    runtime calls `refresh()` on the proxies of the tasks in that group.
 * 3. Service created (or adopted): `new ServiceEndpoint({ serviceKey: serviceArn, ports }).start()`;
 *    `endpoint.url` is what `dockyard endpoint --cluster C --service S` prints.
 *    Whenever task states or health change: `endpoint.setTargets(runningHealthyTasks)`.
 * 4. Stopping a task: `await endpoint.drain(taskArn)`, then stop the container (SIGTERM …),
 *    then `proxy.close()`, `pool.release(taskArn)` and delete the ENI.
 * 5. Service deleted: `endpoint.close()`, `ports.release(serviceArn)`.
 */
export { NetworkStore } from './store.js';
export { TaskAddressPool, AddressPoolExhausted, taskAddressRangeForPort } from './addresses.js';
export { EndpointPortPool } from './endpoint-ports.js';
export { TaskPortProxy, type TaskPortProxyOptions } from './task-port-proxy.js';
export { ServiceEndpoint, type EndpointTarget, type ServiceEndpointOptions } from './service-endpoint.js';
export { TaskPorts, type TaskPort } from './task-ports.js';
