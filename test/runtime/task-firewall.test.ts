/**
 * The task firewall's rules as text (the kernel's side: kernel-security-groups.test.ts):
 * a group peer admits its members' private addresses, a CIDR peer its block, ports and protocols
 * as iptables names them; egress rules, IPv6 peers and prefix lists admit nothing; everything
 * else is refused after the accepts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_PUBLIC_SOURCE, hostRules, namespaceRules } from '../../src/runtime/task-firewall.js';
import type { NetworkInterface, SecurityGroupRule } from '../../src/services/ec2/model.js';

const rule = (r: Partial<SecurityGroupRule> & Pick<SecurityGroupRule, 'peer'>): SecurityGroupRule => ({
  id: 'sgr-1',
  groupId: 'sg-web',
  isEgress: false,
  protocol: 'tcp',
  fromPort: 80,
  toPort: 80,
  ...r,
});

const eni = (privateIp: string, groupIds: string[]): NetworkInterface => ({
  id: `eni-${privateIp}`,
  subnetId: 'subnet-1',
  vpcId: 'vpc-1',
  availabilityZone: 'us-east-1a',
  description: '',
  privateIp,
  macAddress: '02:00:00:00:00:01',
  groupIds,
  ownerId: '000000000000',
  requesterManaged: true,
  attachmentId: 'eni-attach-1',
  createdAt: new Date(0),
  tags: [],
});

describe('task firewall rules', () => {
  it('admits CIDR blocks and the members of a source group, and refuses the rest', () => {
    const text = namespaceRules(
      [
        rule({ peer: { kind: 'cidr4', cidr: '10.0.0.0/8' } }),
        rule({ protocol: '-1', fromPort: -1, toPort: -1, peer: { kind: 'group', groupId: 'sg-app', userId: '0' } }),
        rule({ protocol: 'udp', fromPort: 5000, toPort: 5010, peer: { kind: 'cidr4', cidr: '0.0.0.0/0' } }),
        rule({ isEgress: true, peer: { kind: 'cidr4', cidr: '1.2.3.4/32' } }),
        rule({ peer: { kind: 'cidr6', cidr: '::/0' } }),
        rule({ groupId: 'sg-other', peer: { kind: 'cidr4', cidr: '9.9.9.9/32' } }),
      ],
      [eni('10.89.0.2', ['sg-app']), eni('10.89.0.3', ['sg-web']), eni('10.89.0.4', ['sg-app', 'sg-web'])],
      ['sg-web'],
    );
    const accepts = text.split('\n').filter((l) => l.endsWith('-j ACCEPT') && l.includes(' -s '));
    assert.deepEqual(accepts, [
      '-A INPUT -s 0.0.0.0/0 -p udp -m udp --dport 5000:5010 -j ACCEPT',
      '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 80:80 -j ACCEPT',
      '-A INPUT -s 10.89.0.2/32 -j ACCEPT',
      '-A INPUT -s 10.89.0.4/32 -j ACCEPT',
    ]);
    const lines = text.split('\n');
    assert.ok(lines.indexOf('-A INPUT -p tcp -j REJECT --reject-with tcp-reset') > lines.indexOf(accepts[3] ?? ''));
    assert.ok(lines.includes('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'));
  });

  it('refuses everything but loopback and replies without an ingress rule', () => {
    const text = namespaceRules([], [], ['sg-web']);
    assert.equal(text.split('\n').filter((l) => l.includes('-j ACCEPT')).length, 2);
  });

  it("maps each public address to its task and translates the host's source", () => {
    const text = hostRules('0123456789abcdef', '10.89.0.0/24', [
      { pid: 1, privateIp: '10.89.0.3', publicIp: '127.5.0.2', groups: [] },
      { pid: 2, privateIp: '10.89.0.2', publicIp: '127.5.0.1', groups: [] },
    ]);
    assert.match(text, /-A DYT-0123456789abcdef -d 127\.5\.0\.1\/32 -j DNAT --to-destination 10\.89\.0\.2\n/);
    assert.match(text, /-A DYT-0123456789abcdef -d 127\.5\.0\.2\/32 -j DNAT --to-destination 10\.89\.0\.3\n/);
    assert.ok(text.includes(`-s 127.0.0.0/8 -d 10.89.0.0/24 -j SNAT --to-source ${HOST_PUBLIC_SOURCE}`));
    assert.ok(text.includes('! -s 10.89.0.0/24 -d 10.89.0.0/24 -p tcp -j REJECT'));
  });
});
