/**
 * Issue 11's "AWS is the cloud, transparently": inside a job (a fresh container of the runner
 * image), tools that know nothing of dockyard reach it by AWS's own host names over verified
 * HTTPS: Debian's AWS CLI 2.9 (which ignores AWS_ENDPOINT_URL), Debian's boto3 and the Node SDK
 * v3 with AWS_ENDPOINT_URL unset; `docker login`/`push`/`pull` of
 * `<account>.dkr.ecr.us-east-1.amazonaws.com/my-app:tag`, and a push to eu-west-1's registry
 * that lands in eu-west-1's repository. The role comes from the job's OIDC token
 * (configure-aws-credentials), as on GitHub.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
} from '@aws-sdk/client-ecr';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { clientConfig, portOf, startRuntimeCloud } from '../runtime/support.js';
import { removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { finishedRun, prepareEcrPushJob, pushFiles } from '../support/git-push.js';

describe('AWS is the cloud inside a job, by its own host names', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-awsnames-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-awsnames-work-'));
  let cloud: Cloud;
  /** The cloud's port (the kernel picks it; its registry is localhost:PORT to the engine). */
  let port: number | undefined;

  before(async () => {
    cloud = await startRuntimeCloud(engine, dataDir);
    port = portOf(cloud);
    await prepareEcrPushJob(cloud, {
      roleName: 'GitHub_Actions_Role',
      repository: 'mona/aws',
      ecrRepository: 'my-app',
    });
    await new ECRClient({ ...clientConfig(cloud), region: 'eu-west-1' }).send(
      new CreateRepositoryCommand({ repositoryName: 'my-app' }),
    );
  });
  after(async () => {
    await cloud?.stop();
    await removeCloudContainers(dataDir);
    if (port !== undefined) await removeImages(`localhost:${port}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('the AWS CLI 2.9, boto3, the Node SDK v3 and docker reach the cloud with no endpoint of their own', async () => {
    const registry = `${cloud.accountId}.dkr.ecr.us-east-1.amazonaws.com`;
    const euRegistry = `${cloud.accountId}.dkr.ecr.eu-west-1.amazonaws.com`;
    const files: Record<string, string> = {
      'hello.txt': 'hello\n',
      Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      '.github/workflows/aws.yml': [
        'on: push',
        'permissions:',
        '  id-token: write',
        '  contents: read',
        'jobs:',
        '  aws:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        `          role-to-assume: arn:aws:iam::${cloud.accountId}:role/GitHub_Actions_Role`,
        '          aws-region: us-east-1',
        '      - name: the AWS CLI',
        '        run: |',
        '          unset AWS_ENDPOINT_URL',
        '          aws --version',
        '          echo "CLI $(aws sts get-caller-identity --query Arn --output text)"',
        '          echo "CLI-ECR $(aws ecr describe-repositories --query "repositories[0].repositoryName" --output text)"',
        '      - name: boto3',
        '        shell: python3 {0}',
        '        run: |',
        '          import os, boto3',
        '          os.environ.pop("AWS_ENDPOINT_URL", None)',
        '          print("BOTO3", boto3.__version__, boto3.client("sts").get_caller_identity()["Arn"])',
        '      - name: the Node SDK v3',
        '        env:',
        '          NODE_PATH: /opt/dockyard/node_modules',
        '        run: |',
        '          unset AWS_ENDPOINT_URL',
        `          node -e 'const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts"); new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log("NODE", r.Arn))'`,
        '      - name: docker',
        '        run: |',
        `          aws ecr get-login-password | docker login --username AWS --password-stdin ${registry}`,
        `          docker build -t ${registry}/my-app:tag .`,
        `          docker push ${registry}/my-app:tag`,
        `          docker rmi ${registry}/my-app:tag`,
        `          docker pull ${registry}/my-app:tag`,
        `          echo "PULLED $(docker image inspect --format '{{.Id}}' ${registry}/my-app:tag | cut -c1-19)"`,
        '      - name: ECR addresses as AWS gives them, by host name and by AWS_ENDPOINT_URL alike',
        '        run: |',
        '          aws ecr describe-repositories --repository-names my-app --query "repositories[0].repositoryUri" --output text | sed "s/^/URI-BY-NAME /"',
        '          aws --endpoint-url "$AWS_ENDPOINT_URL" ecr get-authorization-token --region eu-west-1 --query "authorizationData[0].proxyEndpoint" --output text | sed "s/^/PROXY-BY-ENDPOINT /"',
        '      - name: docker in eu-west-1',
        '        run: |',
        `          aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${euRegistry}`,
        `          docker build -t ${euRegistry}/my-app:eu .`,
        `          docker push ${euRegistry}/my-app:eu`,
        `          docker rmi ${euRegistry}/my-app:eu`,
        '',
      ].join('\n'),
    };
    await pushFiles({ port: portOf(cloud), admin: cloud.state.admin }, work, 'mona/aws', files);
    const { run: record, log } = await finishedRun(cloud.ci.runner, 'mona/aws');
    assert.equal(record.conclusion, 'success', `${record.note ?? ''}\n${log}`);
    const role = `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/GitHubActions`;
    assert.match(log, /aws-cli\/2\.9\./);
    assert.ok(log.includes(`CLI ${role}`), log);
    assert.ok(log.includes('CLI-ECR my-app'), log);
    assert.match(log, new RegExp(`BOTO3 \\S+ ${role.replace(/[/]/g, '\\/')}`));
    assert.ok(log.includes(`NODE ${role}`), log);
    assert.ok(log.includes(`URI-BY-NAME ${registry}/my-app`), log);
    assert.ok(log.includes(`PROXY-BY-ENDPOINT https://${euRegistry}`), log);
    // On the host, the addresses it can reach.
    const onHost = await new ECRClient(clientConfig(cloud)).send(
      new DescribeRepositoriesCommand({ repositoryNames: ['my-app'] }),
    );
    assert.equal(onHost.repositories?.[0]?.repositoryUri, `localhost:${port}/my-app`);
    assert.match(log, /Login Succeeded/);
    assert.match(log, /PULLED sha256:[0-9a-f]{12}/);
    const images = await new ECRClient(clientConfig(cloud)).send(
      new DescribeImagesCommand({ repositoryName: 'my-app' }),
    );
    assert.deepEqual(
      images.imageDetails?.flatMap((d) => d.imageTags ?? []),
      ['tag'],
    );
    const euImages = await new ECRClient({ ...clientConfig(cloud), region: 'eu-west-1' }).send(
      new DescribeImagesCommand({ repositoryName: 'my-app' }),
    );
    assert.deepEqual(
      euImages.imageDetails?.flatMap((d) => d.imageTags ?? []),
      ['eu'],
      'the eu-west-1 push is in eu-west-1’s repository, not us-east-1’s',
    );
  });
});
